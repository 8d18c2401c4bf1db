#include "service/perms.h"

#include <array>
#include <cctype>

namespace coffer::service {

namespace {

constexpr std::array<std::pair<std::string_view, uint32_t>, 6> kWords = {{
    {"list", kList}, {"read", kRead}, {"write", kWrite},
    {"delete", kDelete}, {"share", kShare}, {"manage", kManage},
}};
constexpr size_t kMaxWordsText = 256;

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

Result<uint32_t> ParsePerms(std::string_view text) {
  if (text.size() > kMaxWordsText) return InvalidArgument("permission list is too long");
  uint32_t perms = 0;
  size_t words = 0;
  bool none = false;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find_first_of(", ", i);
    if (end == std::string_view::npos) end = text.size();
    std::string word = Lower(text.substr(i, end - i));
    i = end + 1;
    if (word.empty()) continue;
    ++words;
    if (word == "all") {
      perms |= kAllPerms;
    } else if (word == "none") {
      none = true;
    } else {
      bool known = false;
      for (const auto& [name, bit] : kWords) {
        if (word == name) {
          perms |= bit;
          known = true;
        }
      }
      if (!known) {
        bool printable = true;
        for (char c : word) printable &= std::isprint(static_cast<unsigned char>(c)) != 0;
        return InvalidArgument("unknown permission \"" + (printable ? word : "?") +
                               "\" (use list, read, write, delete, share, manage, all or none)");
      }
    }
  }
  if (words == 0) return InvalidArgument("no permissions given");
  if (none && (perms != 0 || words > 1)) {
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
