// SqliteRepo: ACL entries and settings (MAC'd) and the append-only activity log.
#include "store/sqlite_repo.h"

namespace coffer::store {

namespace {

constexpr char kAclDomain[] = "acl/v1";
constexpr char kSettingsDomain[] = "settings/v1";
constexpr size_t kMaxSubjects = 1000;

std::vector<std::string> AclFields(const AclEntry& e) {
  return {std::to_string(e.id), std::to_string(e.folder_id),
          std::to_string(static_cast<int>(e.subject_kind)), std::to_string(e.subject_id),
          std::to_string(e.perms)};
}

}  // namespace

bool SqliteRepo::CheckAcl(const AclEntry& e, const std::string& mac) {
  if (mac_.Verify(kAclDomain, AclFields(e), mac)) return true;
  Alert("acl", e.id, "MAC mismatch: row forged or altered outside Coffer");
  return false;
}

// Columns: id, folder_id, subject_kind, subject_id, perms, mac.
Result<std::vector<AclEntry>> SqliteRepo::AclRows(Stmt& s) {
  std::vector<AclEntry> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return out;
    int64_t kind = s.Int(2), perms = s.Int(4);
    AclEntry e{s.Int(0), s.Int(1), kind == 1 ? SubjectKind::kGroup : SubjectKind::kUser, s.Int(3),
               static_cast<uint32_t>(perms)};
    bool sane = (kind == 0 || kind == 1) && perms >= 0 && perms <= 0xffffffffLL;
    if (!sane) {
      Alert("acl", e.id, "invalid values");
    } else if (CheckAcl(e, s.Text(5))) {
      out.push_back(e);
    }
  }
}

Status SqliteRepo::PutAcl(const AclEntry& entry) {
  return db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(
        auto s, db_->Prepare("INSERT INTO acl (folder_id, subject_kind, subject_id, perms)"
                             " VALUES (?, ?, ?, ?) ON CONFLICT (folder_id, subject_kind,"
                             " subject_id) DO UPDATE SET perms = excluded.perms"));
    COFFER_RETURN_IF_ERROR(s->BindAll(entry.folder_id,
                                      int64_t{static_cast<int>(entry.subject_kind)},
                                      entry.subject_id, int64_t{entry.perms})
                               .Run());
    COFFER_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT id FROM acl WHERE folder_id = ?"
                                                 " AND subject_kind = ? AND subject_id = ?"));
    q->BindAll(entry.folder_id, int64_t{static_cast<int>(entry.subject_kind)}, entry.subject_id);
    COFFER_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return InternalError("ACL entry vanished");
    AclEntry stored = entry;
    stored.id = q->Int(0);
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("UPDATE acl SET mac = ? WHERE id = ?"));
    return m->BindAll(mac_.Compute(kAclDomain, AclFields(stored)), stored.id).Run();
  });
}

Status SqliteRepo::DeleteAcl(Id folder_id, SubjectKind kind, Id subject_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM acl WHERE folder_id = ?"
                                               " AND subject_kind = ? AND subject_id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(folder_id, int64_t{static_cast<int>(kind)}, subject_id).Run());
  return ExpectChange("no such grant");
}

Result<std::vector<AclEntry>> SqliteRepo::ListAclForFolder(Id folder_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, folder_id, subject_kind, subject_id,"
                                               " perms, mac FROM acl WHERE folder_id = ?"
                                               " ORDER BY subject_kind, subject_id LIMIT 10000"));
  s->Bind(folder_id);
  return AclRows(*s);
}

Result<std::vector<AclEntry>> SqliteRepo::ListAclForSubjects(Id user_id,
                                                             const std::vector<Id>& group_ids) {
  if (group_ids.size() > kMaxSubjects) return LimitExceeded("too many groups");
  auto lock = db_->Lock();
  std::vector<AclEntry> out;
  COFFER_ASSIGN_OR_RETURN(auto u, db_->Prepare("SELECT id, folder_id, subject_kind, subject_id,"
                                               " perms, mac FROM acl WHERE subject_kind = 0"
                                               " AND subject_id = ? LIMIT 100000"));
  u->Bind(user_id);
  COFFER_ASSIGN_OR_RETURN(out, AclRows(*u));
  u.reset();
  for (Id gid : group_ids) {
    COFFER_ASSIGN_OR_RETURN(auto g, db_->Prepare("SELECT id, folder_id, subject_kind, subject_id,"
                                                 " perms, mac FROM acl WHERE subject_kind = 1"
                                                 " AND subject_id = ? LIMIT 100000"));
    g->Bind(gid);
    COFFER_ASSIGN_OR_RETURN(auto rows, AclRows(*g));
    out.insert(out.end(), rows.begin(), rows.end());
  }
  return out;
}

Result<std::optional<std::string>> SqliteRepo::GetSetting(std::string_view key) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("SELECT value, mac, rowid FROM settings WHERE key = ?"));
  s->Bind(key);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<std::string>();
  std::string value = s->Text(0);
  if (!mac_.Verify(kSettingsDomain, {std::string(key), value}, s->Text(1))) {
    Alert("settings", s->Int(2), "MAC mismatch: row forged or altered outside Coffer");
    return std::optional<std::string>();
  }
  return std::optional<std::string>(std::move(value));
}

Status SqliteRepo::PutSetting(std::string_view key, std::string_view value) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("INSERT INTO settings (key, value, mac)"
                                               " VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE"
                                               " SET value = excluded.value, mac = excluded.mac"));
  std::string mac = mac_.Compute(kSettingsDomain, {std::string(key), std::string(value)});
  return s->BindAll(key, value, mac).Run();
}

Result<Id> SqliteRepo::AppendActivity(const ActivityRecord& r) {
  auto lock = db_->Lock();
  if (r.id == 0) {
    COFFER_ASSIGN_OR_RETURN(
        auto s, db_->Prepare("INSERT INTO activity (at_us, actor_id, actor_name, protocol, address,"
                             " session, action, path, object_id, result, detail, bytes, sha256,"
                             " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    COFFER_RETURN_IF_ERROR(s->BindAll(r.at_us, r.actor_id, r.actor_name, r.protocol, r.address,
                                      r.session, r.action, r.path, r.object_id, r.result, r.detail,
                                      r.bytes, r.sha256_hex, r.prev_hash, r.hash)
                               .Run());
    return db_->LastInsertId();
  }
  COFFER_ASSIGN_OR_RETURN(
      auto s,
      db_->Prepare("INSERT INTO activity (id, at_us, actor_id, actor_name, protocol, address,"
                   " session, action, path, object_id, result, detail, bytes, sha256,"
                   " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  COFFER_RETURN_IF_ERROR(s->BindAll(r.id, r.at_us, r.actor_id, r.actor_name, r.protocol,
                                    r.address, r.session, r.action, r.path, r.object_id, r.result,
                                    r.detail, r.bytes, r.sha256_hex, r.prev_hash, r.hash)
                             .Run());
  return r.id;
}

Result<std::vector<ActivityRecord>> SqliteRepo::ListActivity(const ActivityFilter& f) {
  auto lock = db_->Lock();
  int64_t before = f.before_id > 0 ? f.before_id : INT64_MAX;
  int64_t limit = ClampLimit(f.limit);
  std::unique_ptr<Stmt> s;
  if (f.actor_id) {
    COFFER_ASSIGN_OR_RETURN(
        s, db_->Prepare("SELECT id, at_us, actor_id, actor_name, protocol, address, session,"
                        " action, path, object_id, result, detail, bytes, sha256, prev_hash, hash"
                        " FROM activity"
                        " WHERE actor_id = ? AND id < ? ORDER BY id DESC LIMIT ?"));
    s->BindAll(*f.actor_id, before, limit);
  } else {
    COFFER_ASSIGN_OR_RETURN(
        s, db_->Prepare("SELECT id, at_us, actor_id, actor_name, protocol, address, session,"
                        " action, path, object_id, result, detail, bytes, sha256, prev_hash, hash"
                        " FROM activity"
                        " WHERE id < ? ORDER BY id DESC LIMIT ?"));
    s->BindAll(before, limit);
  }
  std::vector<ActivityRecord> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return out;
    out.push_back({s->Int(0), s->Int(1), s->Int(2), s->Text(3), s->Text(4), s->Text(5), s->Text(6),
                   s->Text(7), s->Text(8), s->Int(9), s->Text(10), s->Text(11), s->Int(12),
                   s->Text(13), s->Blob(14), s->Blob(15)});
  }
}

}  // namespace coffer::store
