// File and folder routes with JSON bodies: list, stat, mkdir, move, copy,
// delete, recycle bin. Each parses its input, makes one service call and maps
// the result (docs/api.md "Files").
#include "http/handlers.h"
#include "http/routes_common.h"
#include "service/perms.h"

namespace coffer::http {

namespace {

constexpr int kMaxJsonDepth = 8;

// The `path` query parameter, required.
std::optional<std::string> PathParam(const Request& r, Reply* refusal) {
  auto q = QueryOf(r, refusal);
  if (!q) return std::nullopt;
  if (!q->Has("path")) {
    *refusal = Problem(400, "the path parameter is required");
    return std::nullopt;
  }
  return q->Get("path", "");
}

// {"from", "to"} of move and copy.
std::optional<std::pair<std::string, std::string>> FromTo(const Request& r, Reply* refusal) {
  auto doc = JsonObjectBody(r, refusal);
  if (!doc) return std::nullopt;
  auto from = StringMember(*doc, "from");
  auto to = StringMember(*doc, "to");
  if (!from || !to) {
    *refusal = Problem(400, "from and to must be strings");
    return std::nullopt;
  }
  return std::pair{*from, *to};
}

std::optional<service::ListSort> SortOf(std::string_view key, std::string_view order) {
  service::ListSort sort;
  if (key == "modified")
    sort.order = store::ListOrder::kModified;
  else if (key == "size")
    sort.order = store::ListOrder::kSize;
  else if (key != "name")
    return std::nullopt;
  if (order != "asc" && order != "desc") return std::nullopt;
  sort.descending = order == "desc";
  return sort;
}

}  // namespace

std::optional<nlohmann::json> JsonObjectBody(const Request& r, Reply* refusal) {
  auto doc = ParseJsonStrictly(r.body, kMaxJsonDepth);
  if (doc.is_discarded() || !doc.is_object()) {
    *refusal = Problem(400, "the body must be a JSON object");
    return std::nullopt;
  }
  return doc;
}

std::optional<std::string> StringMember(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<Query> QueryOf(const Request& r, Reply* refusal) {
  auto q = Query::Parse(r.target);
  if (!q.ok()) {
    *refusal = InputProblem(q.status());
    return std::nullopt;
  }
  return std::move(*q);
}

Reply FilesList(const ApiServices& s, const Request& r, const Caller& c) {
  Reply refusal;
  auto q = QueryOf(r, &refusal);
  if (!q) return refusal;
  if (!q->Has("path")) return Problem(400, "the path parameter is required");
  auto limit = q->Integer("limit", 1, 1000, "limit must be a number from 1 to 1000");
  if (!limit.ok()) return InputProblem(limit.status());
  // Folders first, then by name (case-insensitively), modification time or
  // size; each order has its own index, so pages stay fast in huge folders.
  auto sort = SortOf(q->Get("sort", "name"), q->Get("order", "asc"));
  if (!sort) return Problem(400, "sort is name, modified or size; order is asc or desc");
  auto page = s.files.List(c.principal, c.context, q->Get("path", ""), q->Get("cursor", ""),
                           static_cast<size_t>(limit->value_or(100)), *sort);
  if (!page.ok()) return ProblemFor(page.status());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& e : page->entries) items.push_back(EntryJson(e));
  return JsonReply(200, {{"items", std::move(items)}, {"next_cursor", page->next_cursor}});
}

Reply FilesStat(const ApiServices& s, const Request& r, const Caller& c) {
  Reply refusal;
  auto path = PathParam(r, &refusal);
  if (!path) return refusal;
  auto info = s.files.Stat(c.principal, c.context, *path);
  if (!info.ok()) return ProblemFor(info.status());
  return JsonReply(200, EntryJson(*info));
}

Reply FilesMkdir(const ApiServices& s, const Request& r, const Caller& c) {
  Reply refusal;
  auto doc = JsonObjectBody(r, &refusal);
  if (!doc) return refusal;
  auto path = StringMember(*doc, "path");
  if (!path) return Problem(400, "path must be a string");
  auto info = s.files.Mkdir(c.principal, c.context, *path);
  if (!info.ok()) return ProblemFor(info.status());
  return JsonReply(201, EntryJson(*info));
}

Reply FilesMove(const ApiServices& s, const Request& r, const Caller& c) {
  Reply refusal;
  auto ft = FromTo(r, &refusal);
  if (!ft) return refusal;
  auto info = s.files.Move(c.principal, c.context, ft->first, ft->second);
  if (!info.ok()) return ProblemFor(info.status());
  return JsonReply(200, EntryJson(*info));
}

Reply FilesCopy(const ApiServices& s, const Request& r, const Caller& c) {
  Reply refusal;
  auto ft = FromTo(r, &refusal);
  if (!ft) return refusal;
  auto info = s.files.Copy(c.principal, c.context, ft->first, ft->second);
  if (!info.ok()) return ProblemFor(info.status());
  return JsonReply(201, EntryJson(*info));
}

Reply FilesDelete(const ApiServices& s, const Request& r, const Caller& c) {
  Reply refusal;
  auto path = PathParam(r, &refusal);
  if (!path) return refusal;
  Status st = s.files.Delete(c.principal, c.context, *path);
  if (!st.ok()) return ProblemFor(st);
  Reply ok;
  ok.status = 204;
  ok.content_type.clear();
  return ok;
}

Reply RecycleList(const ApiServices& s, const Request& r, const Caller& c) {
  Reply refusal;
  auto path = PathParam(r, &refusal);
  if (!path) return refusal;
  auto entries = s.files.ListRecycle(c.principal, c.context, *path);
  if (!entries.ok()) return ProblemFor(entries.status());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& e : *entries) items.push_back(EntryJson(e));
  return JsonReply(200, {{"items", std::move(items)}});
}

Reply RecycleRestore(const ApiServices& s, const Request& r, const Caller& c) {
  Reply refusal;
  auto doc = JsonObjectBody(r, &refusal);
  if (!doc) return refusal;
  auto it = doc->find("id");
  if (it == doc->end() || !it->is_number_integer() || it->get<int64_t>() <= 0) {
    return Problem(400, "id must be a positive integer");
  }
  auto info = s.files.Restore(c.principal, c.context, it->get<int64_t>());
  if (!info.ok()) return ProblemFor(info.status());
  return JsonReply(200, EntryJson(*info));
}

}  // namespace coffer::http
