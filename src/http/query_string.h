// The query string of a request target (application/x-www-form-urlencoded).
//
// Contract: total and bounded. Names and values are percent-decoded ('+' is a
// space); a malformed escape, an empty or repeated name, or more than
// kMaxQueryParams parameters makes the whole query invalid (nullopt), so a
// handler never guesses which of two values was meant. Decoded values are bytes:
// the service's name rules judge paths.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace coffer::http {

inline constexpr size_t kMaxQueryParams = 32;

class Query {
 public:
  // Parses the part of `target` after the first '?' ("" when there is none).
  static std::optional<Query> FromTarget(std::string_view target);

  bool Has(std::string_view name) const { return params_.count(std::string(name)) != 0; }
  // The value of `name`, or `fallback` when absent.
  std::string Get(std::string_view name, std::string_view fallback = {}) const;

 private:
  std::map<std::string, std::string, std::less<>> params_;
};

// Percent-decodes `in` ('+' becomes a space when `plus_is_space`); nullopt on a bad escape.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

}  // namespace coffer::http
