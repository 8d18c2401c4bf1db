// Parsers for the tus 1.0 request headers (https://tus.io/protocols/resumable-upload):
// Upload-Length / Upload-Offset (a non-negative decimal integer) and
// Upload-Metadata (comma-separated "key base64value" pairs, the value optional).
// Strict and bounded: anything else is refused, never guessed at.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coffer::http {

// At most this many metadata pairs are accepted (the header size limits the rest).
inline constexpr size_t kMaxTusMetadataPairs = 32;

// Digits only (no sign, space or leading '+'), at most 19 of them; nullopt otherwise.
std::optional<uint64_t> ParseTusInteger(std::string_view text);

// The decoded pairs, in order; nullopt if malformed: an empty or non-ASCII key,
// a key with a space or comma, a repeated key, a value that is not base64, or
// more than kMaxTusMetadataPairs pairs.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseTusMetadata(
    std::string_view header);

}  // namespace coffer::http
