// A QR code as a self-contained SVG image (libqrencode), for showing an
// otpauth:// URI to authenticator apps. The SVG holds only <svg>, <rect> and
// <path> with numbers: nothing from the encoded text appears in it as markup.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace coffer::service {

// Error correction level M, 4-module quiet zone. kLimitExceeded over 1 KiB.
Result<std::string> QrSvg(std::string_view text);

}  // namespace coffer::service
