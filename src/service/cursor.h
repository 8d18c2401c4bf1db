// Listing cursors: opaque to clients, strictly parsed when they come back.
// Text form: "<kind>.<id>.<hex of name_key>" for the default order (name,
// ascending); other orders prefix "<order><direction>:" (n, m, s; a, d) and,
// for modification time and size, end in the decimal value instead of the
// name: "md:1.42.1767225600". At most kMaxCursorBytes. A cursor only continues
// the order it was made for.
#pragma once

#include <string>
#include <string_view>

#include "store/metadata_store.h"

namespace coffer::service {

inline constexpr size_t kMaxCursorBytes = 8192;

std::string EncodeCursor(const store::ListCursor& cursor);
// "" is the start of a listing in `order`. Anything malformed, or made for
// another order, is kInvalidArgument ("invalid cursor").
Result<store::ListCursor> DecodeCursor(std::string_view text,
                                       store::ListOrder order = store::ListOrder::kName,
                                       bool descending = false);

}  // namespace coffer::service
