// SqliteRepo: resumable uploads (MAC'd rows: they say whose upload a partial blob is).
#include "store/sqlite_repo.h"
#include "util/bytes.h"

namespace coffer::store {

namespace {

constexpr char kUploadsDomain[] = "uploads/v1";

std::vector<std::string> UploadFields(const UploadRow& u) {
  return {std::to_string(u.id),         u.public_id,
          std::to_string(u.user_id),    u.path,
          std::to_string(u.length),     u.blob_id_hex,
          std::to_string(u.chunk_size), std::to_string(u.key_id),
          ToHex(u.wrapped_key)};
}

}  // namespace

Result<std::vector<UploadRow>> SqliteRepo::UploadRows(Stmt& s) {
  std::vector<UploadRow> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    UploadRow u{s.Int(0),  s.Text(1), s.Int(2), s.Text(3), s.Int(4),  s.Int(5),
                s.Text(6), s.Int(7),  s.Int(8), s.Blob(9), s.Int(10), s.Int(11)};
    if (!mac_.Verify(kUploadsDomain, UploadFields(u), s.Text(12))) {
      Alert("uploads", u.id, "MAC mismatch: row forged or altered outside Coffer");
      continue;
    }
    out.push_back(std::move(u));
  }
  return out;
}

Result<Id> SqliteRepo::InsertUpload(const UploadRow& row) {
  Id id = 0;
  COFFER_RETURN_IF_ERROR(db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(
        auto s, db_->Prepare("INSERT INTO uploads (public_id, user_id, path, length, received,"
                             " blob_id, chunk_size, key_id, wrapped_key, created_at, expires_at)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    COFFER_RETURN_IF_ERROR(s->BindAll(row.public_id, row.user_id, row.path, row.length,
                                      row.received, row.blob_id_hex, row.chunk_size, row.key_id,
                                      row.wrapped_key, row.created_at, row.expires_at)
                               .Run());
    UploadRow stored = row;
    stored.id = id = db_->LastInsertId();
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("UPDATE uploads SET mac = ? WHERE id = ?"));
    return m->BindAll(mac_.Compute(kUploadsDomain, UploadFields(stored)), id).Run();
  }));
  return id;
}

Result<std::optional<UploadRow>> SqliteRepo::FindUpload(std::string_view public_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, public_id, user_id, path, length,"
                                               " received, blob_id, chunk_size, key_id,"
                                               " wrapped_key, created_at, expires_at, mac"
                                               " FROM uploads WHERE public_id = ?"));
  s->Bind(public_id);
  COFFER_ASSIGN_OR_RETURN(auto rows, UploadRows(*s));
  if (rows.empty()) return std::optional<UploadRow>();
  return std::optional<UploadRow>(std::move(rows.front()));
}

Result<int64_t> SqliteRepo::CountUploads(Id user_id, int64_t now) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT COUNT(*) FROM uploads WHERE user_id = ? AND expires_at > ?"));
  s->BindAll(user_id, now);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  return row ? s->Int(0) : 0;
}

Status SqliteRepo::UpdateUploadProgress(Id id, int64_t received, int64_t expires_at) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("UPDATE uploads SET received = ?, expires_at = ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(received, expires_at, id).Run());
  return ExpectChange("no such upload");
}

Status SqliteRepo::DeleteUpload(Id id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM uploads WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->Bind(id).Run());
  return ExpectChange("no such upload");
}

Result<std::vector<UploadRow>> SqliteRepo::ListExpiredUploads(int64_t now, size_t limit) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, public_id, user_id, path, length,"
                                               " received, blob_id, chunk_size, key_id,"
                                               " wrapped_key, created_at, expires_at, mac"
                                               " FROM uploads WHERE expires_at <= ?"
                                               " ORDER BY expires_at, id LIMIT ?"));
  s->BindAll(now, ClampLimit(limit));
  return UploadRows(*s);
}

Result<bool> SqliteRepo::PartialBlobReferenced(std::string_view blob_id_hex) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT COUNT(*) FROM uploads WHERE blob_id = ?"));
  s->Bind(blob_id_hex);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  return row && s->Int(0) > 0;
}

}  // namespace coffer::store
