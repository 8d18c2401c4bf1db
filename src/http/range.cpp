#include "http/range.h"

#include <optional>

namespace coffer::http {

namespace {

constexpr size_t kMaxDigits = 19;  // < 2^63: the sum of two never overflows uint64_t

std::optional<uint64_t> Number(std::string_view s) {
  if (s.empty() || s.size() > kMaxDigits) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

bool StartsWithBytesUnit(std::string_view h) {
  constexpr std::string_view kUnit = "bytes=";
  if (h.size() < kUnit.size()) return false;
  for (size_t i = 0; i < kUnit.size(); ++i) {
    char c = h[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kUnit[i]) return false;
  }
  return true;
}

}  // namespace

RangeRequest ParseRange(std::string_view header, uint64_t size) {
  using Kind = RangeRequest::Kind;
  if (!StartsWithBytesUnit(header)) return {};
  std::string_view spec = header.substr(6);
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos) return {};
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  if (a.empty()) {  // suffix: the last n bytes
    auto n = Number(b);
    if (!n) return {};
    if (*n == 0 || size == 0) return {Kind::kUnsatisfiable, 0, 0};
    uint64_t len = *n < size ? *n : size;
    return {Kind::kSatisfiable, size - len, len};
  }
  auto first = Number(a);
  if (!first) return {};
  std::optional<uint64_t> last;
  if (!b.empty()) {
    last = Number(b);
    if (!last || *last < *first) return {};
  }
  if (*first >= size) return {Kind::kUnsatisfiable, 0, 0};
  uint64_t end = (last && *last < size - 1) ? *last : size - 1;
  return {Kind::kSatisfiable, *first, end - *first + 1};
}

}  // namespace coffer::http
