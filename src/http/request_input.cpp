#include "http/request_input.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <set>

namespace coffer::http {

namespace {

constexpr const char* kNotJson = "the body must be application/json";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size() || HexValue(text[i + 1]) < 0 || HexValue(text[i + 2]) < 0) {
        return InvalidArgument("the query string has a malformed percent-escape");
      }
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  if (out.find('\0') != std::string::npos) {
    return InvalidArgument("the query string must not contain NUL");
  }
  if (out.size() > kMaxInputStringBytes) return LimitExceeded("a query value is too long");
  return out;
}

bool IsJsonMediaType(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  constexpr std::string_view kJson = "application/json";
  return value.size() == kJson.size() &&
         std::equal(value.begin(), value.end(), kJson.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

Reply InputProblem(const Status& status) {
  if (status.message() == kNotJson) return Problem(415, kNotJson);
  int code = status.code() == Code::kLimitExceeded ? 413 : 400;
  return Problem(code, status.message());
}

Result<Query> Query::Parse(std::string_view target) {
  Query q;
  size_t mark = target.find('?');
  if (mark == std::string_view::npos) return q;
  std::string_view rest = target.substr(mark + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    COFFER_ASSIGN_OR_RETURN(std::string name, Decode(part.substr(0, eq)));
    std::string value;
    if (eq != std::string_view::npos) {
      COFFER_ASSIGN_OR_RETURN(value, Decode(part.substr(eq + 1)));
    }
    for (const auto& [n, v] : q.params_) {
      if (n == name) return InvalidArgument("a query parameter is repeated");
    }
    if (q.params_.size() >= 32) return LimitExceeded("too many query parameters");
    q.params_.emplace_back(std::move(name), std::move(value));
  }
  return q;
}

Status Query::Only(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [n, v] : params_) {
    if (std::find(allowed.begin(), allowed.end(), n) == allowed.end()) {
      return InvalidArgument("unknown query parameter");
    }
  }
  return Status::Ok();
}

std::optional<std::string> Query::Get(std::string_view name) const {
  for (const auto& [n, v] : params_) {
    if (n == name) return v;
  }
  return std::nullopt;
}

Result<std::string> Query::Require(std::string_view name, const char* missing) const {
  auto v = Get(name);
  if (!v || v->empty()) return InvalidArgument(missing);
  return *v;
}

Result<std::optional<int64_t>> Query::Integer(std::string_view name, int64_t min, int64_t max,
                                              const char* bad) const {
  auto text = Get(name);
  if (!text) return std::optional<int64_t>();
  int64_t v = 0;
  const char* end = text->data() + text->size();
  if (text->empty() || text->size() > 18 || !std::isdigit(static_cast<unsigned char>((*text)[0]))) {
    return InvalidArgument(bad);
  }
  auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end || v < min || v > max) return InvalidArgument(bad);
  return std::optional<int64_t>(v);
}

nlohmann::json ParseJsonStrictly(std::string_view text, int max_depth) {
  using Event = nlohmann::json::parse_event_t;
  std::vector<std::set<std::string>> keys;  // members seen, per open object
  bool refused = false;
  auto check = [&](int depth, Event event, nlohmann::json& parsed) {
    if (depth > max_depth) refused = true;
    if (event == Event::object_start) keys.emplace_back();
    if (event == Event::object_end && !keys.empty()) keys.pop_back();
    if (event == Event::key && !keys.empty() &&
        !keys.back().insert(parsed.get<std::string>()).second) {
      refused = true;
    }
    return !refused;
  };
  nlohmann::json doc = nlohmann::json::parse(text, check, false);
  if (refused) return nlohmann::json(nlohmann::json::value_t::discarded);
  return doc;
}

Result<JsonBody> JsonBody::Parse(const Request& request, bool empty_ok) {
  if (request.body.empty() && empty_ok) return JsonBody(nlohmann::json::object());
  if (!IsJsonMediaType(request.Header("content-type"))) return InvalidArgument(kNotJson);
  nlohmann::json doc = ParseJsonStrictly(request.body);
  if (doc.is_discarded()) return InvalidArgument("the body is not valid JSON");
  if (!doc.is_object()) return InvalidArgument("the body must be a JSON object");
  return JsonBody(std::move(doc));
}

Status JsonBody::Only(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, value] : doc_.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return InvalidArgument("the body has an unknown field");
    }
  }
  return Status::Ok();
}

bool JsonBody::Has(std::string_view key) const { return doc_.contains(key); }

Result<std::optional<std::string>> JsonBody::String(std::string_view key, const char* bad,
                                                    size_t max_bytes) const {
  auto it = doc_.find(key);
  if (it == doc_.end()) return std::optional<std::string>();
  if (!it->is_string()) return InvalidArgument(bad);
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_bytes) return LimitExceeded(bad);
  if (s.find('\0') != std::string::npos) return InvalidArgument(bad);
  return std::optional<std::string>(s);
}

Result<std::optional<bool>> JsonBody::Bool(std::string_view key, const char* bad) const {
  auto it = doc_.find(key);
  if (it == doc_.end()) return std::optional<bool>();
  if (!it->is_boolean()) return InvalidArgument(bad);
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<int64_t>> JsonBody::Integer(std::string_view key, int64_t min, int64_t max,
                                                 const char* bad) const {
  auto it = doc_.find(key);
  if (it == doc_.end()) return std::optional<int64_t>();
  // 1.0 and 1e3 are numbers but not integers; unsigned values above INT64_MAX are refused.
  if (it->is_number_unsigned()) {
    auto u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgument(bad);
    }
  } else if (!it->is_number_integer()) {
    return InvalidArgument(bad);
  }
  auto v = it->get<int64_t>();
  if (v < min || v > max) return InvalidArgument(bad);
  return std::optional<int64_t>(v);
}

Result<std::optional<std::vector<std::string>>> JsonBody::Strings(std::string_view key,
                                                                  size_t max_items,
                                                                  const char* bad) const {
  auto it = doc_.find(key);
  if (it == doc_.end()) return std::optional<std::vector<std::string>>();
  if (!it->is_array() || it->size() > max_items) return InvalidArgument(bad);
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string() || item.get_ref<const std::string&>().size() > kMaxInputStringBytes) {
      return InvalidArgument(bad);
    }
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Reply JsonReply(int status, const nlohmann::json& doc) {
  Reply r;
  r.status = status;
  r.body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Reply NoContent() {
  Reply r;
  r.status = 204;
  r.content_type.clear();  // no body, so no type
  return r;
}

}  // namespace coffer::http
