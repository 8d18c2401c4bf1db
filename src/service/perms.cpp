#include "service/perms.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <utility>

namespace coffer::service {

namespace {

constexpr std::array<std::pair<std::string_view, uint32_t>, 6> kWords = {{
    {"list", kList},
    {"read", kRead},
    {"write", kWrite},
    {"delete", kDelete},
    {"share", kShare},
    {"manage", kManage},
}};
constexpr size_t kMaxWordsText = 256;

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

std::optional<uint32_t> WordBits(std::string_view word) {
  if (word == "all") return kAllPerms;
  for (const auto& [name, bit] : kWords) {
    if (word == name) return bit;
  }
  return std::nullopt;
}

// Names the word so the user sees the typo, unless it could mess up a terminal.
Status UnknownWord(const std::string& word) {
  bool printable = true;
  for (char c : word) printable &= std::isprint(static_cast<unsigned char>(c)) != 0;
  return InvalidArgument("unknown permission \"" + (printable ? word : std::string("?")) +
                         "\" (use list, read, write, delete, share, manage, all or none)");
}

}  // namespace

Result<uint32_t> ParsePerms(std::string_view text) {
  if (text.size() > kMaxWordsText) return InvalidArgument("permission list is too long");
  uint32_t perms = 0;
  size_t words = 0;
  bool none = false;
  for (size_t i = 0; i < text.size();) {
    size_t end = std::min(text.find_first_of(", ", i), text.size());
    std::string word = Lower(text.substr(i, end - i));
    i = end + 1;
    if (word.empty()) continue;
    ++words;
    if (word == "none") {
      none = true;
      continue;
    }
    std::optional<uint32_t> bits = WordBits(word);
    if (!bits) return UnknownWord(word);
    perms |= *bits;
  }
  if (words == 0) return InvalidArgument("no permissions given");
  if (none && words > 1) {
    return InvalidArgument("\"none\" cannot be combined with other permissions");
  }
  return perms;
}

std::string PermsToString(uint32_t perms) {
  std::string out;
  for (const auto& [name, bit] : kWords) {
    if (perms & bit) {
      if (!out.empty()) out += ',';
      out += name;
    }
  }
  return out.empty() ? "none" : out;
}

}  // namespace coffer::service
