// Content-Disposition for downloads (RFC 6266 with RFC 8187/5987 filename*).
//
// Contract: the result is always `attachment` -- content is never shown inline
// in our origin -- and is a valid header value whatever the name holds: control
// characters, quotes, backslashes, non-ASCII and percent signs never reach the
// quoted fallback unescaped, and the exact name travels only percent-encoded.
#pragma once

#include <string>
#include <string_view>

namespace coffer::http {

// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`.
std::string AttachmentDisposition(std::string_view utf8_name);

}  // namespace coffer::http
