#include "service/cursor.h"

#include <charconv>

#include "util/bytes.h"

namespace coffer::service {

namespace {

// "" for the default order (the form cursors had before there were others).
std::string Prefix(store::ListOrder order, bool descending) {
  if (order == store::ListOrder::kName && !descending) return "";
  static constexpr char kOrders[] = {'n', 'm', 's'};
  return std::string{kOrders[static_cast<int>(order)], descending ? 'd' : 'a', ':'};
}

bool ParseInt(std::string_view text, int64_t* out, int64_t min) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size() && *out >= min;
}

}  // namespace

std::string EncodeCursor(const store::ListCursor& c) {
  std::string last =
      c.order == store::ListOrder::kName ? ToHex(AsBytes(c.name_key)) : std::to_string(c.value);
  return Prefix(c.order, c.descending) + std::to_string(c.kind) + "." + std::to_string(c.id) + "." +
         last;
}

Result<store::ListCursor> DecodeCursor(std::string_view text, store::ListOrder order,
                                       bool descending) {
  store::ListCursor c;
  c.order = order;
  c.descending = descending;
  if (text.empty()) return c;
  auto bad = [] { return InvalidArgument("invalid cursor"); };
  std::string prefix = Prefix(order, descending);
  if (text.size() > kMaxCursorBytes || text.substr(0, prefix.size()) != prefix) return bad();
  text.remove_prefix(prefix.size());
  size_t dot1 = text.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : text.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return bad();
  std::string_view kind = text.substr(0, dot1), id = text.substr(dot1 + 1, dot2 - dot1 - 1);
  std::string_view last = text.substr(dot2 + 1);
  if (kind != "0" && kind != "1") return bad();
  c.kind = kind[0] - '0';
  if (!ParseInt(id, &c.id, 1)) return bad();
  if (order != store::ListOrder::kName) {
    if (!ParseInt(last, &c.value, INT64_MIN)) return bad();
    return c;
  }
  auto key = FromHex(last);
  if (!key || key->empty()) return bad();
  c.name_key.assign(key->begin(), key->end());
  return c;
}

}  // namespace coffer::service
