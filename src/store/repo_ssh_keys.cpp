// SqliteRepo: users' SSH public keys (MAC'd rows: a key is a credential).
#include "store/sqlite_repo.h"

namespace coffer::store {

namespace {

constexpr char kSshKeysDomain[] = "ssh_keys/v1";

std::vector<std::string> KeyFields(const SshKey& k) {
  return {std::to_string(k.id), std::to_string(k.user_id), k.algorithm, k.key_base64};
}

}  // namespace

Result<Id> SqliteRepo::AddSshKey(const SshKey& key) {
  Id id = 0;
  COFFER_RETURN_IF_ERROR(db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(
        auto s, db_->Prepare("INSERT INTO ssh_keys (user_id, algorithm, key_base64, fingerprint,"
                             " comment, created_at) VALUES (?, ?, ?, ?, ?, ?)"));
    COFFER_RETURN_IF_ERROR(s->BindAll(key.user_id, key.algorithm, key.key_base64, key.fingerprint,
                                      key.comment, key.created_at)
                               .Run());
    SshKey stored = key;
    stored.id = id = db_->LastInsertId();
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("UPDATE ssh_keys SET mac = ? WHERE id = ?"));
    return m->BindAll(mac_.Compute(kSshKeysDomain, KeyFields(stored)), id).Run();
  }));
  return id;
}

Result<std::vector<SshKey>> SqliteRepo::ListSshKeys(Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, user_id, algorithm, key_base64, fingerprint, comment,"
                           " created_at, last_used_at, mac FROM ssh_keys WHERE user_id = ?"
                           " ORDER BY id LIMIT 1000"));
  s->Bind(user_id);
  std::vector<SshKey> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    SshKey k{s->Int(0),  s->Int(1),  s->Text(2), s->Text(3),
             s->Text(4), s->Text(5), s->Int(6),  s->Int(7)};
    if (!mac_.Verify(kSshKeysDomain, KeyFields(k), s->Text(8))) {
      Alert("ssh_keys", k.id, "MAC mismatch: row forged or altered outside Coffer");
      continue;
    }
    out.push_back(std::move(k));
  }
  return out;
}

Status SqliteRepo::DeleteSshKey(Id user_id, std::string_view fingerprint) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("DELETE FROM ssh_keys WHERE user_id = ? AND fingerprint = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(user_id, fingerprint).Run());
  return ExpectChange("no such key");
}

Status SqliteRepo::TouchSshKey(Id id, int64_t last_used_at) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("UPDATE ssh_keys SET last_used_at = ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(last_used_at, id).Run());
  return ExpectChange("no such key");
}

}  // namespace coffer::store
