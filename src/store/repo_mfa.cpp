// SqliteRepo: TOTP secrets and recovery codes (MAC'd rows: they are credentials).
#include "store/sqlite_repo.h"

namespace coffer::store {

namespace {

constexpr char kMfaDomain[] = "mfa_secrets/v1";
constexpr char kRecoveryDomain[] = "mfa_recovery_codes/v1";
constexpr size_t kMaxRecoveryCodes = 100;

std::vector<std::string> MfaFields(const MfaSecret& m) {
  return {std::to_string(m.user_id), ToHex(m.sealed_secret), m.enabled ? "1" : "0",
          std::to_string(m.last_step), std::to_string(m.enabled_at)};
}
std::vector<std::string> RecoveryFields(Id id, Id user_id, std::string_view hash) {
  return {std::to_string(id), std::to_string(user_id), std::string(hash)};
}

}  // namespace

Result<std::optional<MfaSecret>> SqliteRepo::GetMfaSecret(Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT user_id, sealed_secret, enabled, last_step, created_at,"
                           " enabled_at, mac FROM mfa_secrets WHERE user_id = ?"));
  s->Bind(user_id);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<MfaSecret>();
  MfaSecret m{s->Int(0), s->Blob(1), s->Int(2) != 0, s->Int(3), s->Int(4), s->Int(5)};
  if (!mac_.Verify(kMfaDomain, MfaFields(m), s->Text(6))) {
    Alert("mfa_secrets", m.user_id, "MAC mismatch: row forged or altered outside Coffer");
    return std::optional<MfaSecret>();
  }
  return std::optional<MfaSecret>(std::move(m));
}

Status SqliteRepo::PutMfaSecret(const MfaSecret& m) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("INSERT INTO mfa_secrets (user_id, sealed_secret, enabled, last_step,"
                           " created_at, enabled_at, mac) VALUES (?, ?, ?, ?, ?, ?, ?)"
                           " ON CONFLICT (user_id) DO UPDATE SET"
                           " sealed_secret = excluded.sealed_secret, enabled = excluded.enabled,"
                           " last_step = excluded.last_step, created_at = excluded.created_at,"
                           " enabled_at = excluded.enabled_at, mac = excluded.mac"));
  return s
      ->BindAll(m.user_id, m.sealed_secret, int64_t{m.enabled}, m.last_step, m.created_at,
                m.enabled_at, mac_.Compute(kMfaDomain, MfaFields(m)))
      .Run();
}

Status SqliteRepo::DeleteMfa(Id user_id) {
  return db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(auto c,
                            db_->Prepare("DELETE FROM mfa_recovery_codes WHERE user_id = ?"));
    COFFER_RETURN_IF_ERROR(c->Bind(user_id).Run());
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("DELETE FROM mfa_secrets WHERE user_id = ?"));
    return m->Bind(user_id).Run();
  });
}

Status SqliteRepo::ReplaceRecoveryCodes(Id user_id, const std::vector<std::string>& code_hashes,
                                        int64_t created_at) {
  if (code_hashes.size() > kMaxRecoveryCodes) return LimitExceeded("too many recovery codes");
  return db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(auto d,
                            db_->Prepare("DELETE FROM mfa_recovery_codes WHERE user_id = ?"));
    COFFER_RETURN_IF_ERROR(d->Bind(user_id).Run());
    for (const auto& hash : code_hashes) {
      COFFER_ASSIGN_OR_RETURN(
          auto s, db_->Prepare("INSERT INTO mfa_recovery_codes (user_id, code_hash, created_at,"
                               " mac) VALUES (?, ?, ?, '')"));
      COFFER_RETURN_IF_ERROR(s->BindAll(user_id, hash, created_at).Run());
      Id id = db_->LastInsertId();
      COFFER_ASSIGN_OR_RETURN(auto m,
                              db_->Prepare("UPDATE mfa_recovery_codes SET mac = ? WHERE id = ?"));
      COFFER_RETURN_IF_ERROR(
          m->BindAll(mac_.Compute(kRecoveryDomain, RecoveryFields(id, user_id, hash)), id).Run());
    }
    return Status::Ok();
  });
}

Result<int64_t> SqliteRepo::CountRecoveryCodes(Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, user_id, code_hash, mac"
                                               " FROM mfa_recovery_codes WHERE user_id = ?"
                                               " ORDER BY id LIMIT 100"));
  s->Bind(user_id);
  int64_t n = 0;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return n;
    if (mac_.Verify(kRecoveryDomain, RecoveryFields(s->Int(0), s->Int(1), s->Text(2)),
                    s->Text(3))) {
      ++n;
    } else {
      Alert("mfa_recovery_codes", s->Int(0), "MAC mismatch: row forged or altered outside Coffer");
    }
  }
}

Status SqliteRepo::UseRecoveryCode(Id user_id, std::string_view code_hash) {
  return db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("SELECT id, mac FROM mfa_recovery_codes"
                                                 " WHERE user_id = ? AND code_hash = ?"));
    s->BindAll(user_id, code_hash);
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return NotFound("no such recovery code");
    Id id = s->Int(0);
    if (!mac_.Verify(kRecoveryDomain, RecoveryFields(id, user_id, code_hash), s->Text(1))) {
      Alert("mfa_recovery_codes", id, "MAC mismatch: row forged or altered outside Coffer");
      return NotFound("no such recovery code");
    }
    COFFER_ASSIGN_OR_RETURN(auto d, db_->Prepare("DELETE FROM mfa_recovery_codes WHERE id = ?"));
    COFFER_RETURN_IF_ERROR(d->Bind(id).Run());
    return ExpectChange("no such recovery code");
  });
}

}  // namespace coffer::store
