// AdminService: reading, searching and pruning the activity record.
#include <charconv>

#include "service/admin_service.h"
#include "service/audit_trail.h"
#include "service/operation.h"

namespace coffer::service {

namespace {

constexpr size_t kMaxFilterBytes = 4096;
constexpr size_t kPruneBatch = 10000;

// "<at_us>.<id>", both non-negative decimals; anything else is refused.
Result<std::pair<int64_t, int64_t>> DecodeActivityCursor(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos || text.size() > 48) return InvalidArgument("invalid cursor");
  int64_t at = -1, id = -1;
  auto a = std::from_chars(text.data(), text.data() + dot, at);
  auto b = std::from_chars(text.data() + dot + 1, text.data() + text.size(), id);
  if (a.ec != std::errc() || a.ptr != text.data() + dot || b.ec != std::errc() ||
      b.ptr != text.data() + text.size() || at < 0 || id < 0) {
    return InvalidArgument("invalid cursor");
  }
  return std::pair{at, id};
}

Status CheckQuery(const ActivityQuery& q) {
  for (const std::string* f : {&q.user, &q.action, &q.path_prefix, &q.address}) {
    if (f->size() > kMaxFilterBytes) return InvalidArgument("a search filter is too long");
  }
  if (!q.result.empty() && q.result != "ok" && q.result != "denied" && q.result != "error") {
    return InvalidArgument("result is ok, denied or error");
  }
  if (q.since_us < 0 || q.until_us < 0) return InvalidArgument("times are not negative");
  return Status::Ok();
}

// What the search asked for, for its own record (filters are not secrets).
std::string Describe(const ActivityQuery& q) {
  std::string d;
  auto add = [&d](std::string_view k, std::string_view v) {
    if (!v.empty()) d += (d.empty() ? "" : " ") + std::string(k) + "=" + std::string(v);
  };
  add("user", q.user);
  add("action", q.action);
  add("address", q.address);
  add("result", q.result);
  if (q.since_us) add("since_us", std::to_string(q.since_us));
  if (q.until_us) add("until_us", std::to_string(q.until_us));
  return d;
}

}  // namespace

Result<std::vector<store::ActivityRecord>> AdminService::ListActivity(const Principal& p,
                                                                      const Context& c,
                                                                      std::string_view user,
                                                                      store::Id before_id,
                                                                      size_t limit) {
  Operation op(activity_, p, c, "activity.list", std::string(user));
  auto run = [&]() -> Result<std::vector<store::ActivityRecord>> {
    store::ActivityFilter filter;
    filter.before_id = before_id;
    filter.limit = std::clamp<size_t>(limit, 1, config_.limits.max_page_size);
    if (!p.is_admin()) {
      if (!user.empty() && user != p.name)
        return PermissionDenied("you can see only your own activity");
      filter.actor_id = p.user_id;
    } else if (!user.empty()) {
      COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(user));
      filter.actor_id = u.id;
    }
    return store_.ListActivity(filter);
  };
  return op.Finish(run());
}

Result<ActivityPage> AdminService::SearchActivity(const Principal& p, const Context& c,
                                                  const ActivityQuery& query) {
  Operation op(activity_, p, c, "activity.search", query.path_prefix);
  op.fact().detail = Describe(query);
  auto run = [&]() -> Result<ActivityPage> {
    COFFER_RETURN_IF_ERROR(CheckQuery(query));
    store::ActivitySearch s;
    if (!p.is_admin()) {
      if (!query.user.empty() && query.user != p.name) {
        return PermissionDenied("you can see only your own activity");
      }
      s.actor_id = p.user_id;
    } else if (!query.user.empty()) {
      COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(query.user));
      s.actor_id = u.id;
    }
    s.action = query.action;
    s.path_prefix = query.path_prefix;
    s.address = query.address;
    s.result = query.result;
    s.since_us = query.since_us;
    s.before_at_us = query.until_us > 0 ? query.until_us : INT64_MAX;
    if (!query.cursor.empty()) {
      COFFER_ASSIGN_OR_RETURN(auto pos, DecodeActivityCursor(query.cursor));
      if (pos < std::pair{s.before_at_us, s.before_id}) std::tie(s.before_at_us, s.before_id) = pos;
    }
    s.limit = std::clamp<size_t>(query.limit, 1, config_.limits.max_page_size);
    ActivityPage page;
    COFFER_ASSIGN_OR_RETURN(page.items, store_.SearchActivity(s));
    if (page.items.size() == s.limit) {
      page.next_cursor =
          std::to_string(page.items.back().at_us) + "." + std::to_string(page.items.back().id);
    }
    return page;
  };
  return op.Finish(run());
}

Result<PruneReport> AdminService::PruneActivity(const Principal& p, const Context& c) {
  Operation op(activity_, p, c, std::string(kPruneAction), "");
  PruneReport report;
  auto anchor = [&]() -> Result<std::optional<store::AuditCheckpoint>> {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    const audit::SigningKey* key = activity_.signing_key();
    if (!key) return FailedPrecondition("pruning needs the audit signing key");
    if (config_.audit.retention_days == 0) return std::optional<store::AuditCheckpoint>();
    report.cutoff_us = op.NowUs() - int64_t{config_.audit.retention_days} * 86'400'000'000;
    COFFER_ASSIGN_OR_RETURN(auto cp, store_.LastCheckpointBefore(report.cutoff_us));
    COFFER_ASSIGN_OR_RETURN(auto current, store_.LatestAnchor());
    if (!cp || (current && cp->record_id <= current->record_id)) {
      return std::optional<store::AuditCheckpoint>();
    }
    // Pruning must never erase the evidence of tampering: the whole chain
    // verifies first, or nothing is deleted.
    COFFER_ASSIGN_OR_RETURN(audit::Report check, VerifyAuditTrail(store_, key->public_key()));
    if (check.finding != audit::Finding::kOk) {
      return IntegrityError("the activity record does not verify (" +
                            std::string(audit::FindingName(check.finding)) + " at record " +
                            std::to_string(check.record_id) + "); nothing pruned");
    }
    op.fact().object_id = cp->record_id;
    op.fact().detail = "anchor: checkpoint " + std::to_string(cp->id) + " at record " +
                       std::to_string(cp->record_id) + "; records up to it removed";
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(op.AppendInTx());
      store::AuditAnchor a{0,         cp->id,        cp->record_id, cp->head_hash,
                           cp->at_us, cp->signature, op.NowUs()};
      return store_.AppendAnchor(a).status();
    }));
    return cp;
  };
  auto cp = anchor();
  Status st = op.Finish(cp.ok() ? Status::Ok() : cp.status());
  if (!st.ok()) return st;
  if (!*cp) {
    COFFER_ASSIGN_OR_RETURN(auto current, store_.LatestAnchor());
    report.anchor = current ? current->record_id : 0;
  } else {
    report.anchor = (*cp)->record_id;
  }
  // The anchor is committed; the deletion proceeds in batches so writers are
  // not held up, and resumes on the next run if interrupted.
  if (report.anchor == 0) return report;
  for (;;) {
    int64_t n = 0;
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(n, store_.PruneActivityBatch(report.anchor, kPruneBatch));
      return Status::Ok();
    }));
    report.removed += n;
    if (n < static_cast<int64_t>(kPruneBatch)) return report;
  }
}

}  // namespace coffer::service
