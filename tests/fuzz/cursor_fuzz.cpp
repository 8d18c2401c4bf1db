// Listing cursors come back from clients: any bytes must parse to a valid cursor
// or a clean kInvalidArgument, and a valid one must round-trip.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "service/cursor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = coffer::service::DecodeCursor(text);
  if (!c.ok()) {
    if (c.status().code() != coffer::Code::kInvalidArgument) std::abort();
    return 0;
  }
  if (text.empty()) return 0;
  auto again = coffer::service::DecodeCursor(coffer::service::EncodeCursor(*c));
  if (!again.ok() || again->kind != c->kind || again->id != c->id ||
      again->name_key != c->name_key) {
    std::abort();
  }
  return 0;
}
