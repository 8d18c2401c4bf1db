// SqliteRepo: searching the activity record and pruning it up to an anchor.
//
// A search runs one of five constant statements, chosen by ActivityDriver: the
// first filter given (address, actor, action, result) walks its own index in
// (at_us, id) order from the keyset position down to `since`; with none of
// them, the time index does. Every other filter is a residual test on the rows
// the index yields, so a page costs what it takes to find `limit` matches.
#include "store/sqlite_repo.h"

namespace coffer::store {

namespace {

#define COFFER_ACTIVITY_COLUMNS                                                       \
  "SELECT id, at_us, actor_id, actor_name, protocol, address, session, action, path," \
  " object_id, result, detail, bytes, sha256, prev_hash, hash FROM activity"
// ?1 before_at_us, ?2 before_id, ?3 since_us, ?4 actor_id (-1: any), ?5 action,
// ?6 address, ?7 result, ?8 path prefix ('' : any), ?9 limit.
#define COFFER_SEARCH_TAIL                                                          \
  " (at_us, id) < (?1, ?2) AND at_us >= ?3 AND (?4 < 0 OR actor_id = ?4)"           \
  " AND (?5 = '' OR action = ?5) AND (?6 = '' OR address = ?6)"                     \
  " AND (?7 = '' OR result = ?7) AND (?8 = '' OR substr(path, 1, length(?8)) = ?8)" \
  " ORDER BY at_us DESC, id DESC LIMIT ?9"

constexpr Sql kSearch[] = {
    COFFER_ACTIVITY_COLUMNS
    " INDEXED BY activity_search_actor WHERE actor_id = ?4 AND" COFFER_SEARCH_TAIL,
    COFFER_ACTIVITY_COLUMNS
    " INDEXED BY activity_search_action WHERE action = ?5 AND" COFFER_SEARCH_TAIL,
    COFFER_ACTIVITY_COLUMNS
    " INDEXED BY activity_search_address WHERE address = ?6 AND" COFFER_SEARCH_TAIL,
    COFFER_ACTIVITY_COLUMNS
    " INDEXED BY activity_search_result WHERE result = ?7 AND" COFFER_SEARCH_TAIL,
    COFFER_ACTIVITY_COLUMNS " INDEXED BY activity_search_time WHERE" COFFER_SEARCH_TAIL,
};

ActivityDriver DriverFor(const ActivitySearch& q) {
  // Most selective first, as records usually spread: an address has few, a
  // user more, an action or a result many.
  if (!q.address.empty()) return ActivityDriver::kAddress;
  if (q.actor_id >= 0) return ActivityDriver::kActor;
  if (!q.action.empty()) return ActivityDriver::kAction;
  if (!q.result.empty()) return ActivityDriver::kResult;
  return ActivityDriver::kTime;
}

constexpr size_t kMaxPruneBatch = 100000;

}  // namespace

Result<std::vector<ActivityRecord>> SqliteRepo::SearchActivity(const ActivitySearch& q) {
  auto lock = db_->Lock();
  Sql sql = kSearch[static_cast<int>(DriverFor(q))];
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare(sql));
  s->BindAll(q.before_at_us, q.before_id, q.since_us, q.actor_id, q.action, q.address, q.result,
             q.path_prefix, ClampLimit(q.limit));
  std::vector<ActivityRecord> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return out;
    out.push_back({s->Int(0), s->Int(1), s->Int(2), s->Text(3), s->Text(4), s->Text(5), s->Text(6),
                   s->Text(7), s->Text(8), s->Int(9), s->Text(10), s->Text(11), s->Int(12),
                   s->Text(13), s->Blob(14), s->Blob(15)});
  }
}

Result<std::optional<AuditCheckpoint>> SqliteRepo::LastCheckpointBefore(int64_t before_at_us) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, record_id, head_hash, at_us, signature"
                                               " FROM audit_checkpoints WHERE at_us < ?"
                                               " ORDER BY record_id DESC, id DESC LIMIT 1"));
  s->Bind(before_at_us);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<AuditCheckpoint>();
  return std::optional<AuditCheckpoint>(
      AuditCheckpoint{s->Int(0), s->Int(1), s->Blob(2), s->Int(3), s->Blob(4)});
}

Result<Id> SqliteRepo::AppendAnchor(const AuditAnchor& a) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("INSERT INTO audit_anchors (checkpoint_id, record_id, head_hash, at_us,"
                           " signature, pruned_at_us) VALUES (?, ?, ?, ?, ?, ?)"));
  COFFER_RETURN_IF_ERROR(
      s->BindAll(a.checkpoint_id, a.record_id, a.head_hash, a.at_us, a.signature, a.pruned_at_us)
          .Run());
  return db_->LastInsertId();
}

Result<std::optional<AuditAnchor>> SqliteRepo::LatestAnchor() {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, checkpoint_id, record_id, head_hash, at_us, signature,"
                           " pruned_at_us FROM audit_anchors ORDER BY id DESC LIMIT 1"));
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<AuditAnchor>();
  return std::optional<AuditAnchor>(
      AuditAnchor{s->Int(0), s->Int(1), s->Int(2), s->Blob(3), s->Int(4), s->Blob(5), s->Int(6)});
}

Result<int64_t> SqliteRepo::PruneActivityBatch(Id up_to_record_id, size_t limit) {
  auto lock = db_->Lock();
  int64_t n = static_cast<int64_t>(std::clamp<size_t>(limit, 1, kMaxPruneBatch));
  COFFER_ASSIGN_OR_RETURN(auto del,
                          db_->Prepare("DELETE FROM activity WHERE id IN (SELECT id FROM activity"
                                       " WHERE id <= ? ORDER BY id LIMIT ?)"));
  COFFER_RETURN_IF_ERROR(del->BindAll(up_to_record_id, n).Run());
  int64_t removed = db_->Changes();
  COFFER_ASSIGN_OR_RETURN(auto cps,
                          db_->Prepare("DELETE FROM audit_checkpoints WHERE record_id < ?"));
  COFFER_RETURN_IF_ERROR(cps->Bind(up_to_record_id).Run());
  return removed;
}

}  // namespace coffer::store
