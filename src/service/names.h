// Name rules for files, folders, users and groups — one copy for every protocol.
//
// File and folder names are normalised to Unicode NFC and kept as given
// (case-preserving); `key` is NFC + case folding and is what uniqueness and
// lookups use, so "Report.PDF" and "report.pdf" are the same name in a folder
// (case-insensitive uniqueness, as Windows and macOS clients expect).
// Refused (kInvalidArgument, with a message that never echoes control bytes):
// invalid UTF-8 and unassigned code points; empty names, "." and ".."; '/' or '\'
// inside a name; NUL, C0, DEL and C1 controls; line/paragraph separators;
// format characters such as bidirectional overrides and zero-width spaces that
// disguise names ("invoice\u202Etxt.exe") — except ZWNJ/ZWJ, which scripts need;
// a trailing space or '.' (Windows strips them, which would create collisions).
// Limits are kLimitExceeded: name bytes after NFC, path bytes before any work,
// and path depth.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace coffer::service {

struct NameLimits {
  size_t max_name_bytes = 255;
  size_t max_path_bytes = 4096;
  size_t max_depth = 64;
};

struct NormalName {
  std::string name;  // NFC, as given
  std::string key;   // NFC + case folded
};

Result<NormalName> NormalizeName(std::string_view raw, const NameLimits& limits);
// "/a/b/c", "a/b", "/a/b/" → components; "/" or "" → none (the root). Repeated
// slashes collapse.
Result<std::vector<NormalName>> SplitPath(std::string_view path, const NameLimits& limits);
std::string JoinPath(std::span<const NormalName> parts);
// User and group names: 1 to 64 bytes after NFC of letters, digits, '.', '_',
// '-', '@', starting with a letter or digit.
Result<NormalName> NormalizeAccountName(std::string_view raw);

}  // namespace coffer::service
