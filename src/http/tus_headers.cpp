#include "http/tus_headers.h"

#include "http/digest.h"

namespace coffer::http {

std::optional<uint64_t> ParseTusInteger(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ValidKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == ',') return false;
  }
  return true;
}

}  // namespace

std::optional<std::vector<std::pair<std::string, std::string>>> ParseTusMetadata(
    std::string_view header) {
  std::vector<std::pair<std::string, std::string>> out;
  if (Trim(header).empty()) return out;
  while (true) {
    size_t comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    size_t space = item.find(' ');
    std::string_view key = item.substr(0, space);
    std::string_view value = space == std::string_view::npos ? "" : Trim(item.substr(space + 1));
    if (!ValidKey(key) || value.find(' ') != std::string_view::npos) return std::nullopt;
    for (const auto& [k, v] : out)
      if (k == key) return std::nullopt;
    auto decoded = Base64Decode(value);
    if (!decoded) return std::nullopt;
    out.emplace_back(std::string(key), std::move(*decoded));
    if (out.size() > kMaxTusMetadataPairs) return std::nullopt;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace coffer::http
