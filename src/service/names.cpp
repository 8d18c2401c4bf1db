#include "service/names.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace coffer::service {

namespace {

constexpr size_t kMaxAccountNameBytes = 64;

// NFC (optionally case folded) through utf8proc; invalid or unassigned input fails.
Result<std::string> Map(std::string_view in, bool fold) {
  utf8proc_uint8_t* out = nullptr;
  int options = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_REJECTNA;
  if (fold) options |= UTF8PROC_CASEFOLD;
  utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(in.data()),
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

bool Forbidden(utf8proc_int32_t cp) {
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return true;  // controls
  if (cp == '/' || cp == '\\') return true;
  if (cp == 0x200c || cp == 0x200d) return false;  // ZWNJ/ZWJ: needed by scripts and emoji
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_CF:  // format: bidi overrides, zero-width space, BOM ...
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CN: return true;
    default: return false;
  }
}

// Walks valid UTF-8, calling `ok(cp)` for each code point; false on any failure.
template <typename Fn>
bool EachCodePoint(std::string_view s, Fn ok) {
  auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0 || !ok(cp)) return false;
    p += n;
    left -= n;
  }
  return true;
}

}  // namespace

Result<NormalName> NormalizeName(std::string_view raw, const NameLimits& limits) {
  if (raw.empty()) return InvalidArgument("empty name");
  // Refuse cheaply before any Unicode work: NFC can grow a name at most 3x.
  if (raw.size() > limits.max_name_bytes * 4) {
    return LimitExceeded("name is longer than " + std::to_string(limits.max_name_bytes) + " bytes");
  }
  if (raw.find('\0') != std::string_view::npos) return InvalidArgument("name contains NUL");
  COFFER_ASSIGN_OR_RETURN(std::string nfc, Map(raw, false));
  if (nfc == "." || nfc == "..") return InvalidArgument("\".\" and \"..\" are not names");
  if (!EachCodePoint(nfc, [](utf8proc_int32_t cp) { return !Forbidden(cp); })) {
    return InvalidArgument(
        "name contains a control, separator or invisible formatting character, or a slash");
  }
  if (nfc.back() == ' ' || nfc.back() == '.') {
    return InvalidArgument("name must not end with a space or a dot");
  }
  if (nfc.size() > limits.max_name_bytes) {
    return LimitExceeded("name is longer than " + std::to_string(limits.max_name_bytes) + " bytes");
  }
  COFFER_ASSIGN_OR_RETURN(std::string key, Map(nfc, true));
  return NormalName{std::move(nfc), std::move(key)};
}

Result<std::vector<NormalName>> SplitPath(std::string_view path, const NameLimits& limits) {
  if (path.size() > limits.max_path_bytes) {
    return LimitExceeded("path is longer than " + std::to_string(limits.max_path_bytes) + " bytes");
  }
  std::vector<NormalName> parts;
  size_t i = 0;
  while (i <= path.size()) {
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
  if (raw.size() > kMaxAccountNameBytes * 4) return InvalidArgument("name is longer than 64 bytes");
  if (raw.find('\0') != std::string_view::npos) return InvalidArgument("name contains NUL");
  COFFER_ASSIGN_OR_RETURN(std::string nfc, Map(raw, false));
  if (nfc.size() > kMaxAccountNameBytes) return InvalidArgument("name is longer than 64 bytes");
  bool first = true;
  bool ok = EachCodePoint(nfc, [&first](utf8proc_int32_t cp) {
    auto cat = utf8proc_category(cp);
    bool letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
    bool digit = cat == UTF8PROC_CATEGORY_ND;
    bool mark = cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME;
    bool punct = cp == '.' || cp == '_' || cp == '-' || cp == '@';
    bool allowed = first ? (letter || digit) : (letter || digit || mark || punct);
    first = false;
    return allowed;
  });
  if (!ok) {
    return InvalidArgument(
        "names use letters, digits, '.', '_', '-' and '@', and start with a letter or digit");
  }
  COFFER_ASSIGN_OR_RETURN(std::string key, Map(nfc, true));
  return NormalName{std::move(nfc), std::move(key)};
}

}  // namespace coffer::service
