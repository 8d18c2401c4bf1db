// Listing cursors: opaque to clients, strictly parsed when they come back.
// Text form: "<kind>.<id>.<hex of name_key>", at most kMaxCursorBytes.
#pragma once

#include <string>
#include <string_view>

#include "store/metadata_store.h"

namespace coffer::service {

inline constexpr size_t kMaxCursorBytes = 8192;

std::string EncodeCursor(const store::ListCursor& cursor);
// "" is the start. Anything malformed is kInvalidArgument ("invalid cursor").
Result<store::ListCursor> DecodeCursor(std::string_view text);

}  // namespace coffer::service
