// GET /api/v1/activity: a search of the activity record (docs/api.md,
// docs/audit.md). The service decides what the caller may see (administrators
// everyone's records, anyone else their own) and records the search.
//
// Query: user, action, path (prefix), address, result, since, until (unix
// seconds), cursor, limit, format=json|csv. Unknown or repeated parameters,
// malformed escapes and over-long values are refused with 400.
#include <nlohmann/json.hpp>

#include "http/handlers.h"
#include "http/json_views.h"
#include "http/request_input.h"
#include "service/activity_csv.h"
#include "service/admin_service.h"

namespace coffer::http {

namespace {

constexpr int64_t kMaxSeconds = INT64_MAX / 1'000'000;

Result<std::pair<service::ActivityQuery, bool>> ReadQuery(const Request& request) {
  COFFER_ASSIGN_OR_RETURN(Query params, Query::Parse(request.target));
  COFFER_RETURN_IF_ERROR(params.Only({"user", "action", "path", "address", "result", "since",
                                      "until", "cursor", "limit", "format"}));
  service::ActivityQuery q;
  q.user = params.Get("user", "");
  q.action = params.Get("action", "");
  q.path_prefix = params.Get("path", "");
  q.address = params.Get("address", "");
  q.result = params.Get("result", "");
  q.cursor = params.Get("cursor", "");
  std::string format = params.Get("format", "json");
  if (format != "json" && format != "csv") return InvalidArgument("format is json or csv");
  COFFER_ASSIGN_OR_RETURN(auto since, params.Integer("since", 0, kMaxSeconds, "bad since"));
  COFFER_ASSIGN_OR_RETURN(auto until, params.Integer("until", 0, kMaxSeconds, "bad until"));
  COFFER_ASSIGN_OR_RETURN(auto limit, params.Integer("limit", 1, 1000, "limit is 1 to 1000"));
  if (since) q.since_us = *since * 1'000'000;
  if (until) q.until_us = *until * 1'000'000;
  if (limit) q.limit = static_cast<size_t>(*limit);
  return std::pair{std::move(q), format == "csv"};
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
  for (const auto& rec : page->items) items.push_back(ActivityRecordJson(rec));
  r.body = nlohmann::json{{"items", items}, {"next_cursor", page->next_cursor}}.dump();
  return r;
}

}  // namespace coffer::http
