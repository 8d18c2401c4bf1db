// Listing cursors come back from clients: any bytes must parse to a valid cursor
// or a clean kInvalidArgument, in every listing order, and a valid one must
// round-trip in the order it was made for.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "service/cursor.h"

namespace {

void Check(std::string_view text, coffer::store::ListOrder order, bool descending) {
  auto c = coffer::service::DecodeCursor(text, order, descending);
  if (!c.ok()) {
    if (c.status().code() != coffer::Code::kInvalidArgument) std::abort();
    return;
  }
  if (c->order != order || c->descending != descending) std::abort();
  if (text.empty()) return;
  auto again = coffer::service::DecodeCursor(coffer::service::EncodeCursor(*c), order, descending);
  if (!again.ok() || again->kind != c->kind || again->id != c->id ||
      again->name_key != c->name_key || again->value != c->value) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using coffer::store::ListOrder;
  for (ListOrder order : {ListOrder::kName, ListOrder::kModified, ListOrder::kSize}) {
    Check(text, order, false);
    Check(text, order, true);
  }
  return 0;
}
