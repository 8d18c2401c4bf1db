#include "service/cursor.h"

#include <charconv>

#include "util/bytes.h"

namespace coffer::service {

std::string EncodeCursor(const store::ListCursor& c) {
  return std::to_string(c.kind) + "." + std::to_string(c.id) + "." + ToHex(AsBytes(c.name_key));
}

Result<store::ListCursor> DecodeCursor(std::string_view text) {
  store::ListCursor c;
  if (text.empty()) return c;
  auto bad = [] { return InvalidArgument("invalid cursor"); };
  if (text.size() > kMaxCursorBytes) return bad();
  size_t dot1 = text.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : text.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return bad();
  std::string_view kind = text.substr(0, dot1), id = text.substr(dot1 + 1, dot2 - dot1 - 1);
  if (kind != "0" && kind != "1") return bad();
  c.kind = kind[0] - '0';
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), c.id);
  if (ec != std::errc() || end != id.data() + id.size() || id.empty() || c.id <= 0) return bad();
  auto key = FromHex(text.substr(dot2 + 1));
  if (!key || key->empty()) return bad();
  c.name_key.assign(key->begin(), key->end());
  return c;
}

}  // namespace coffer::service
