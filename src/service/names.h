// Name rules for files, folders, users and groups — one copy for every protocol.
//
// Case policy: case-preserving, case-insensitive uniqueness. `name` is the NFC
// form as given and is what clients see; `key` is NFC + full Unicode case folding
// (utf8proc UTF8PROC_CASEFOLD, the default, non-Turkic folding) and is what
// uniqueness and lookups use, so "Report.PDF" and "report.pdf", or "STRASSE" and
// "straße", are the same name in a folder.
//
// A file or folder name is refused with kInvalidArgument (the message never echoes
// the offending bytes; it may name a code point as "U+202E") when it is:
//   - not valid UTF-8 (overlong forms, surrogates, truncated sequences, > U+10FFFF)
//     or holds unassigned code points (their folding could change with Unicode);
//   - empty, "." or "..", or holds '/' or '';
//   - holds NUL, C0 controls, DEL, C1 controls, line or paragraph separators;
//   - holds invisible or direction-changing characters (format characters such as
//     U+202A-202E, U+2066-2069, U+200E/200F, U+061C, zero-width space, BOM, and
//     every other Default_Ignorable code point), except the zero-width joiners
//     and variation selectors that scripts and emoji need, which are accepted only
//     right after a non-ASCII letter, mark or symbol (joiners also only before
//     one) — so they can never sit in an ASCII name or at either end;
//   - starts with a combining mark, or ends with '.' or any space character
//     (Windows clients strip trailing dots and spaces, which would collide).
// Limits are kLimitExceeded: a name longer than max_name_bytes after NFC; a path
// longer than max_path_bytes BEFORE any work (huge input is refused cheaply); a
// path of more than max_depth components.
//
// Pure functions, no I/O, safe to call from any thread.
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

// One path component.
Result<NormalName> NormalizeName(std::string_view raw, const NameLimits& limits);
// "/a/b/c", "a/b", "/a/b/" → components; "/" or "" → none (the root). Repeated
// slashes collapse. "." and ".." components are refused, never resolved: a path
// names exactly one place, so there is nothing to escape through.
Result<std::vector<NormalName>> SplitPath(std::string_view path, const NameLimits& limits);
// "/" + the display names joined by "/"; "/" for no parts (the root).
std::string JoinPath(std::span<const NormalName> parts);
// User and group names (stricter): 1 to 64 bytes after NFC of letters and digits
// of any script, '.', '_', '-', '@', starting with a letter or digit; a combining
// mark only after a non-ASCII letter or mark. Every refusal, length included, is
// kInvalidArgument: these are rules for a valid name, not resource limits.
Result<NormalName> NormalizeAccountName(std::string_view raw);

}  // namespace coffer::service
