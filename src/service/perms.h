// Folder permissions (the bits of an ACL entry) and their text form, as typed on
// the CLI and sent over the REST API. Parsing is strict and bounded: only the six
// known words, "all" and "none"; the bits returned are always within kAllPerms.
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
// explicit no-access entry, which cannot be combined with other words). An
// unknown word (named in the message if printable ASCII, else "?"), an empty
// list, or text over 256 bytes is kInvalidArgument.
Result<uint32_t> ParsePerms(std::string_view words);
// "list,read,write" in a fixed order; "none" for 0.
std::string PermsToString(uint32_t perms);

}  // namespace coffer::service
