// Typed, bounded reading of a request's query string and JSON body.
//
// Routes take identifiers and paths from the query string and structured input
// from a JSON object body (docs/api.md). These readers are strict so that a typo
// never silently falls back to a default: an unknown parameter or field, a
// repeated query parameter, a wrong JSON type, a value out of range or a
// missing required one is refused, and nothing is changed.
//
// Every error carries a constant message written here (never input), so a
// handler may send it as the problem's detail (InputProblem()).
// Not thread-safe per object; objects are per request.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/api.h"
#include "util/status.h"

namespace coffer::http {

// Longest decoded query value or JSON string field accepted (a path is at most
// [limits] max_path_bytes, which the service checks more tightly).
inline constexpr size_t kMaxInputStringBytes = 8192;

// The problem for an input error: 400, 413 or 415 with the constant message as detail.
Reply InputProblem(const Status& status);

// Parses a request body as JSON. Returns a discarded value (is_discarded())
// when `text` is not JSON, nests deeper than `max_depth`, or names the same
// member twice in one object: a duplicate is read differently by different
// parsers (first or last wins), so it is refused rather than guessed.
nlohmann::json ParseJsonStrictly(std::string_view text, int max_depth = 16);

class Query {
 public:
  // Parses the query of `target` ("/path?a=1&b=x%20y"): percent-decoding, '+'
  // as a space. Refuses malformed escapes, a decoded NUL, a repeated name and
  // values over kMaxInputStringBytes.
  static Result<Query> Parse(std::string_view target);

  // kInvalidArgument if a parameter not in `allowed` is present.
  Status Only(std::initializer_list<std::string_view> allowed) const;
  std::optional<std::string> Get(std::string_view name) const;
  // The value of `name`, or `fallback` when absent.
  std::string Get(std::string_view name, std::string_view fallback) const {
    auto v = Get(name);
    return v ? *v : std::string(fallback);
  }
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // The value of a required, non-empty parameter; `missing` is the constant message if absent.
  Result<std::string> Require(std::string_view name, const char* missing) const;
  // A decimal integer in [min, max] (digits only, no sign); nullopt when absent,
  // the constant `bad` message when malformed or out of range.
  Result<std::optional<int64_t>> Integer(std::string_view name, int64_t min, int64_t max,
                                         const char* bad) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

class JsonBody {
 public:
  // The request body as a JSON object. 415 unless Content-Type is
  // application/json; an empty body is an empty object when `empty_ok`.
  static Result<JsonBody> Parse(const Request& request, bool empty_ok = false);

  Status Only(std::initializer_list<std::string_view> allowed) const;
  bool Has(std::string_view key) const;
  // Each returns nullopt when the field is absent, and the constant `bad`
  // message when it is present with the wrong type or out of range.
  Result<std::optional<std::string>> String(std::string_view key, const char* bad,
                                            size_t max_bytes = kMaxInputStringBytes) const;
  Result<std::optional<bool>> Bool(std::string_view key, const char* bad) const;
  Result<std::optional<int64_t>> Integer(std::string_view key, int64_t min, int64_t max,
                                         const char* bad) const;
  // An array of at most `max_items` strings.
  Result<std::optional<std::vector<std::string>>> Strings(std::string_view key, size_t max_items,
                                                          const char* bad) const;

 private:
  explicit JsonBody(nlohmann::json doc) : doc_(std::move(doc)) {}
  nlohmann::json doc_;
};

// A JSON reply with `status`.
Reply JsonReply(int status, const nlohmann::json& doc);
// 204 No Content.
Reply NoContent();

}  // namespace coffer::http
