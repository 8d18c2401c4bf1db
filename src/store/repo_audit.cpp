// SqliteRepo: reading the activity chain in order and its signed checkpoints.
// Hashing and signing happen in audit/ (called by service/); this file only
// stores and fetches.
#include "store/sqlite_repo.h"

namespace coffer::store {

namespace {

// Pages of the chain walk (verify, export): big enough to amortise the query.
constexpr size_t kMaxScanLimit = 100000;

int64_t ClampScan(size_t limit) {
  return static_cast<int64_t>(std::clamp<size_t>(limit, 1, kMaxScanLimit));
}

}  // namespace

Result<ActivityHead> SqliteRepo::GetActivityHead() {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("SELECT id, hash FROM activity ORDER BY id DESC LIMIT 1"));
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return ActivityHead{};
  return ActivityHead{s->Int(0), s->Blob(1)};
}

Result<std::vector<ActivityRecord>> SqliteRepo::ScanActivity(Id after_id, size_t limit) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, at_us, actor_id, actor_name, protocol, address, session,"
                           " action, path, object_id, result, detail, bytes, sha256, prev_hash,"
                           " hash FROM activity WHERE id > ? ORDER BY id LIMIT ?"));
  s->BindAll(after_id, ClampScan(limit));
  std::vector<ActivityRecord> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return out;
    out.push_back({s->Int(0), s->Int(1), s->Int(2), s->Text(3), s->Text(4), s->Text(5), s->Text(6),
                   s->Text(7), s->Text(8), s->Int(9), s->Text(10), s->Text(11), s->Int(12),
                   s->Text(13), s->Blob(14), s->Blob(15)});
  }
}

Result<Id> SqliteRepo::ActivitySequence() {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = ?"));
  s->Bind(std::string_view("activity"));
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  return row ? s->Int(0) : 0;
}

Result<Id> SqliteRepo::AppendCheckpoint(const AuditCheckpoint& c) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("INSERT INTO audit_checkpoints (record_id, head_hash,"
                                       " at_us, signature) VALUES (?, ?, ?, ?)"));
  COFFER_RETURN_IF_ERROR(s->BindAll(c.record_id, c.head_hash, c.at_us, c.signature).Run());
  return db_->LastInsertId();
}

Result<std::optional<AuditCheckpoint>> SqliteRepo::LastCheckpoint() {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, record_id, head_hash, at_us, signature"
                                               " FROM audit_checkpoints ORDER BY id DESC LIMIT 1"));
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<AuditCheckpoint>();
  return std::optional<AuditCheckpoint>(
      AuditCheckpoint{s->Int(0), s->Int(1), s->Blob(2), s->Int(3), s->Blob(4)});
}

Result<std::vector<AuditCheckpoint>> SqliteRepo::ListCheckpoints(Id after_record_id, Id after_id,
                                                                 size_t limit) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("SELECT id, record_id, head_hash, at_us, signature"
                                       " FROM audit_checkpoints WHERE (record_id, id) > (?, ?)"
                                       " ORDER BY record_id, id LIMIT ?"));
  s->BindAll(after_record_id, after_id, ClampScan(limit));
  std::vector<AuditCheckpoint> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return out;
    out.push_back({s->Int(0), s->Int(1), s->Blob(2), s->Int(3), s->Blob(4)});
  }
}

}  // namespace coffer::store
