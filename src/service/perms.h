// Folder permissions and their text form ("list,read,write", "all", "none").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace coffer::service {

enum Perm : uint32_t {
  kList = 1u << 0,
  kRead = 1u << 1,
  kWrite = 1u << 2,
  kDelete = 1u << 3,
  kShare = 1u << 4,
  kManage = 1u << 5,
};
constexpr uint32_t kAllPerms = 0x3f;

// Words separated by commas or spaces, case-insensitive; "all"; "none" (= 0, an
// explicit no-access entry). An unknown or empty word list is kInvalidArgument.
Result<uint32_t> ParsePerms(std::string_view words);
// "list,read,write" in a fixed order; "none" for 0.
std::string PermsToString(uint32_t perms);

}  // namespace coffer::service
