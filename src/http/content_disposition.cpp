#include "http/content_disposition.h"

namespace coffer::http {

namespace {

// RFC 8187 attr-char: sent as is in filename*; everything else is %XX.
bool IsAttrChar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '&':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// Printable ASCII except the quote, the backslash and '%' (some clients decode
// it in the fallback), so the quoted-string needs no escapes at all.
bool IsFallbackSafe(unsigned char c) {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%';
}

}  // namespace

std::string AttachmentDisposition(std::string_view utf8_name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string fallback, encoded;
  for (unsigned char c : utf8_name) {
    // One '_' per non-ASCII byte keeps the fallback's length honest but short.
    fallback.push_back(IsFallbackSafe(c) ? static_cast<char>(c) : '_');
    if (IsAttrChar(c)) {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded += {'%', kHex[c >> 4], kHex[c & 0xf]};
    }
  }
  if (fallback.empty()) fallback = "download";
  return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace coffer::http
