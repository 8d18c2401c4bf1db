// GET /api/v1/activity: a search of the activity record (docs/api.md,
// docs/audit.md). The service decides what the caller may see (administrators
// everyone's records, anyone else their own) and records the search.
//
// Query: user, action, path (prefix), address, result, since, until (unix
// seconds), cursor, limit, format=json|csv. Unknown or repeated parameters,
// malformed escapes and over-long values are refused with 400.
#include <charconv>
#include <nlohmann/json.hpp>

#include "http/handlers.h"
#include "service/activity_csv.h"
#include "service/admin_service.h"

namespace coffer::http {

namespace {

constexpr size_t kMaxQueryValueBytes = 4096;
constexpr size_t kMaxQueryParams = 16;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Decode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return InvalidArgument("bad escape");
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return InvalidArgument("bad escape");
      char d = static_cast<char>(hi * 16 + lo);
      if (d == '\0') return InvalidArgument("bad escape");
      out += d;
      i += 2;
    } else {
      out += c;
    }
    if (out.size() > kMaxQueryValueBytes) return InvalidArgument("value too long");
  }
  return out;
}

using Params = std::vector<std::pair<std::string, std::string>>;

Result<Params> ParseQuery(std::string_view target) {
  Params out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  static constexpr std::string_view kAllowed[] = {"user",  "action", "path",   "address", "result",
                                                  "since", "until",  "cursor", "limit",   "format"};
  while (!rest.empty()) {
    std::string_view pair = rest.substr(0, rest.find('&'));
    rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    COFFER_ASSIGN_OR_RETURN(std::string name, Decode(pair.substr(0, eq)));
    COFFER_ASSIGN_OR_RETURN(
        std::string value,
        Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1)));
    if (std::find(std::begin(kAllowed), std::end(kAllowed), name) == std::end(kAllowed)) {
      return InvalidArgument("unknown parameter");
    }
    for (const auto& [n, v] : out) {
      if (n == name) return InvalidArgument("repeated parameter");
    }
    if (out.size() >= kMaxQueryParams) return InvalidArgument("too many parameters");
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

Result<int64_t> NonNegative(const std::string& v) {
  int64_t n = -1;
  auto r = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || n < 0) {
    return InvalidArgument("not a number");
  }
  return n;
}

Result<std::pair<service::ActivityQuery, bool>> ReadQuery(const Request& request) {
  COFFER_ASSIGN_OR_RETURN(Params params, ParseQuery(request.target));
  service::ActivityQuery q;
  bool csv = false;
  for (const auto& [name, value] : params) {
    if (name == "user") q.user = value;
    if (name == "action") q.action = value;
    if (name == "path") q.path_prefix = value;
    if (name == "address") q.address = value;
    if (name == "result") q.result = value;
    if (name == "cursor") q.cursor = value;
    if (name == "format") {
      if (value != "json" && value != "csv") return InvalidArgument("format is json or csv");
      csv = value == "csv";
    }
    if (name == "since" || name == "until" || name == "limit") {
      COFFER_ASSIGN_OR_RETURN(int64_t n, NonNegative(value));
      if (n > INT64_MAX / 1'000'000) return InvalidArgument("out of range");
      if (name == "since") q.since_us = n * 1'000'000;
      if (name == "until") q.until_us = n * 1'000'000;
      if (name == "limit") {
        if (n < 1 || n > 1000) return InvalidArgument("limit is 1 to 1000");
        q.limit = static_cast<size_t>(n);
      }
    }
  }
  return std::pair{std::move(q), csv};
}

nlohmann::json RecordJson(const store::ActivityRecord& r) {
  return {{"id", r.id},
          {"at", r.at_us / 1'000'000},
          {"at_us", r.at_us},
          {"actor", r.actor_name},
          {"protocol", r.protocol},
          {"address", r.address},
          {"session", r.session},
          {"action", r.action},
          {"path", r.path},
          {"object_id", r.object_id},
          {"result", r.result},
          {"detail", r.detail},
          {"bytes", r.bytes},
          {"sha256", r.sha256_hex}};
}

}  // namespace

Reply HandleActivitySearch(const ApiServices& s, const Request& request, const Caller& caller) {
  auto input = ReadQuery(request);
  if (!input.ok()) return Problem(400, "invalid query parameters");
  auto page = s.admin.SearchActivity(caller.principal, caller.context, input->first);
  if (!page.ok()) return ProblemFor(page.status());
  Reply r;
  if (input->second) {
    r.content_type = "text/csv; charset=utf-8";
    r.body = service::ActivityCsvHeader();
    for (const auto& rec : page->items) r.body += service::ActivityCsvRow(rec);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"activity.csv\"");
    if (!page->next_cursor.empty()) r.headers.emplace_back("X-Next-Cursor", page->next_cursor);
    return r;
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& rec : page->items) items.push_back(RecordJson(rec));
  r.body = nlohmann::json{{"items", items}, {"next_cursor", page->next_cursor}}.dump();
  return r;
}

}  // namespace coffer::http
