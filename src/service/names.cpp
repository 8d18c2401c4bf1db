#include "service/names.h"

#include <utf8proc.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace coffer::service {

namespace {

constexpr size_t kMaxAccountNameBytes = 64;
// NFC never shrinks text by more than 3x (a Hangul L+V+T jamo triple, 9 bytes,
// becomes one 3-byte syllable), so raw input beyond 4x the limit is refused before
// any Unicode work without ever refusing a name that would have fitted.
constexpr size_t kMaxShrink = 4;

using CodePoints = std::vector<utf8proc_int32_t>;

// NFC (optionally case folded) through utf8proc. Unassigned code points are refused
// because their normalisation and folding may change in a later Unicode version,
// which would silently change stored keys.
Result<std::string> Map(std::string_view in, bool fold) {
  utf8proc_uint8_t* out = nullptr;
  int options = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_REJECTNA;
  if (fold) options |= UTF8PROC_CASEFOLD;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(in.data()),
                                    static_cast<utf8proc_ssize_t>(in.size()), &out,
                                    static_cast<utf8proc_option_t>(options));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(out, &std::free);
  if (n < 0) {
    return InvalidArgument(n == UTF8PROC_ERROR_NOTASSIGNED
                               ? "name contains unassigned Unicode characters"
                               : "name is not valid UTF-8");
  }
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

// Decodes text that Map() has already validated.
CodePoints Decode(std::string_view s) {
  CodePoints cps;
  auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) break;  // cannot happen after Map(); stop rather than loop
    cps.push_back(cp);
    p += n;
    left -= n;
  }
  return cps;
}

// The message names the code point in hex, never the raw bytes.
Status BadChar(std::string_view what, utf8proc_int32_t cp) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
  return InvalidArgument("name contains " + std::string(what) + " (" + hex + ")");
}

utf8proc_category_t Category(utf8proc_int32_t cp) { return utf8proc_category(cp); }

bool IsMark(utf8proc_int32_t cp) {
  auto c = Category(cp);
  return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

bool IsLetterOrDigit(utf8proc_int32_t cp) {
  auto c = Category(cp);
  return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || c == UTF8PROC_CATEGORY_ND;
}

bool IsControl(utf8proc_int32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

bool IsJoiner(utf8proc_int32_t cp) { return cp == 0x200c || cp == 0x200d; }  // ZWNJ, ZWJ

bool IsVariationSelector(utf8proc_int32_t cp) {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef) ||
         (cp >= 0x180b && cp <= 0x180d) || cp == 0x180f;  // Mongolian free variation selectors
}

// Invisible characters that scripts and emoji need may only follow something
// they can modify: a non-ASCII letter, mark or symbol. That keeps them out of
// ASCII names ("report.pdf" vs "re<ZWJ>port.pdf") and off the ends of any name.
bool CanCarryInvisible(utf8proc_int32_t cp) {
  if (cp < 0x80) return false;
  auto c = Category(cp);
  return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME) ||
         (c >= UTF8PROC_CATEGORY_SM && c <= UTF8PROC_CATEGORY_SO);
}

// Checks one code point of a file or folder name in its context.
Status CheckCodePoint(const CodePoints& cps, size_t i) {
  utf8proc_int32_t cp = cps[i];
  if (IsControl(cp)) return BadChar("a control character", cp);
  if (cp == '/' || cp == '\\') return InvalidArgument("name contains a slash or backslash");
  auto c = Category(cp);
  if (c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP) {
    return BadChar("a line or paragraph separator", cp);
  }
  bool prev_ok = i > 0 && CanCarryInvisible(cps[i - 1]);
  if (IsJoiner(cp)) {
    bool next_ok = i + 1 < cps.size() && CanCarryInvisible(cps[i + 1]);
    return prev_ok && next_ok ? Status::Ok() : BadChar("a zero-width joiner out of place", cp);
  }
  if (IsVariationSelector(cp)) {
    return prev_ok ? Status::Ok() : BadChar("a variation selector out of place", cp);
  }
  // Bidi overrides and isolates, LRM/RLM/ALM, zero-width space, BOM, soft hyphen,
  // tag characters, Hangul fillers: they render as nothing or reorder what is
  // shown, so "invoice<RLO>fdp.exe" would display as "invoiceexe.pdf".
  if (c == UTF8PROC_CATEGORY_CF || utf8proc_get_property(cp)->ignorable) {
    return BadChar("an invisible or direction-changing character", cp);
  }
  if (i == 0 && IsMark(cp)) return BadChar("a combining mark at its start", cp);
  return Status::Ok();
}

// Windows clients strip a trailing space or dot, so "a." and "a" would collide
// there; other trailing spaces (NBSP, ideographic) would make look-alike names.
Status CheckEnds(const CodePoints& cps) {
  utf8proc_int32_t last = cps.back();
  if (last == '.' || Category(last) == UTF8PROC_CATEGORY_ZS) {
    return InvalidArgument("name must not end with a space or a dot");
  }
  return Status::Ok();
}

Status TooLong(std::string_view what, size_t limit) {
  return LimitExceeded(std::string(what) + " is longer than " + std::to_string(limit) + " bytes");
}

// Account names: letters and digits of any script, '.', '_', '-', '@', starting
// with a letter or digit. A combining mark is allowed only after a non-ASCII
// letter or mark (scripts such as Devanagari need them; "a<U+0336>dmin" is a spoof).
bool AccountCodePointOk(const CodePoints& cps, size_t i) {
  utf8proc_int32_t cp = cps[i];
  if (IsLetterOrDigit(cp)) return true;
  if (i == 0) return false;
  if (cp == '.' || cp == '_' || cp == '-' || cp == '@') return true;
  utf8proc_int32_t prev = cps[i - 1];
  return IsMark(cp) && prev >= 0x80 && (IsLetterOrDigit(prev) || IsMark(prev));
}

}  // namespace

Result<NormalName> NormalizeName(std::string_view raw, const NameLimits& limits) {
  if (raw.empty()) return InvalidArgument("empty name");
  if (raw.size() > limits.max_name_bytes * kMaxShrink)
    return TooLong("name", limits.max_name_bytes);
  if (raw.find('\0') != std::string_view::npos) return InvalidArgument("name contains NUL");
  COFFER_ASSIGN_OR_RETURN(std::string nfc, Map(raw, false));
  if (nfc == "." || nfc == "..") return InvalidArgument("\".\" and \"..\" are not names");
  CodePoints cps = Decode(nfc);
  for (size_t i = 0; i < cps.size(); ++i) COFFER_RETURN_IF_ERROR(CheckCodePoint(cps, i));
  COFFER_RETURN_IF_ERROR(CheckEnds(cps));
  if (nfc.size() > limits.max_name_bytes) return TooLong("name", limits.max_name_bytes);
  COFFER_ASSIGN_OR_RETURN(std::string key, Map(nfc, true));
  return NormalName{std::move(nfc), std::move(key)};
}

Result<std::vector<NormalName>> SplitPath(std::string_view path, const NameLimits& limits) {
  if (path.size() > limits.max_path_bytes) return TooLong("path", limits.max_path_bytes);
  std::vector<NormalName> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    if (end > i) {
      if (parts.size() >= limits.max_depth) {
        return LimitExceeded("path is deeper than " + std::to_string(limits.max_depth) + " levels");
      }
      COFFER_ASSIGN_OR_RETURN(NormalName n, NormalizeName(path.substr(i, end - i), limits));
      parts.push_back(std::move(n));
    }
    i = end + 1;
  }
  return parts;
}

std::string JoinPath(std::span<const NormalName> parts) {
  if (parts.empty()) return "/";
  std::string out;
  for (const auto& p : parts) out += "/" + p.name;
  return out;
}

Result<NormalName> NormalizeAccountName(std::string_view raw) {
  if (raw.empty()) return InvalidArgument("empty name");
  if (raw.size() > kMaxAccountNameBytes * kMaxShrink || raw.find('\0') != std::string_view::npos) {
    return InvalidArgument("names are 1 to 64 bytes of letters, digits, '.', '_', '-' and '@'");
  }
  COFFER_ASSIGN_OR_RETURN(std::string nfc, Map(raw, false));
  if (nfc.size() > kMaxAccountNameBytes) return InvalidArgument("name is longer than 64 bytes");
  CodePoints cps = Decode(nfc);
  for (size_t i = 0; i < cps.size(); ++i) {
    if (!AccountCodePointOk(cps, i)) {
      return InvalidArgument(
          "names use letters, digits, '.', '_', '-' and '@', and start with a letter or digit");
    }
  }
  COFFER_ASSIGN_OR_RETURN(std::string key, Map(nfc, true));
  return NormalName{std::move(nfc), std::move(key)};
}

}  // namespace coffer::service
