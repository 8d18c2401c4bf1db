// SqliteRepo: web sessions and API tokens (MAC'd rows: each is a credential).
#include "store/sqlite_repo.h"

namespace coffer::store {

namespace {

constexpr char kSessionsDomain[] = "sessions/v1";
constexpr char kTokensDomain[] = "api_tokens/v1";

std::vector<std::string> SessionFields(const SessionRow& r) {
  return {std::to_string(r.id),         ToHex(r.id_hash),
          std::to_string(r.user_id),    std::to_string(r.created_at),
          std::to_string(r.expires_at), std::to_string(r.mfa_at),
          r.mfa_pending ? "1" : "0"};
}

std::vector<std::string> TokenFields(const ApiTokenRow& r) {
  return {std::to_string(r.id),     r.public_id,
          ToHex(r.secret_hash),     std::to_string(r.user_id),
          std::to_string(r.scopes), std::to_string(r.expires_at)};
}

SessionRow SessionFrom(const Stmt& s) {
  SessionRow r;
  r.id = s.Int(0);
  r.id_hash = s.Blob(1);
  r.user_id = s.Int(2);
  r.created_at = s.Int(3);
  r.expires_at = s.Int(4);
  r.last_seen_at = s.Int(5);
  r.mfa_at = s.Int(6);
  r.mfa_pending = s.Int(7) != 0;
  r.address = s.Text(8);
  r.user_agent = s.Text(9);
  return r;
}

ApiTokenRow TokenFrom(const Stmt& s) {
  ApiTokenRow r;
  r.id = s.Int(0);
  r.public_id = s.Text(1);
  r.secret_hash = s.Blob(2);
  r.user_id = s.Int(3);
  r.name = s.Text(4);
  r.scopes = static_cast<uint32_t>(s.Int(5));
  r.created_at = s.Int(6);
  r.expires_at = s.Int(7);
  r.last_used_at = s.Int(8);
  return r;
}

}  // namespace

Result<Id> SqliteRepo::InsertSession(const SessionRow& row) {
  Id id = 0;
  COFFER_RETURN_IF_ERROR(db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(
        auto s, db_->Prepare("INSERT INTO sessions (id_hash, user_id, created_at, expires_at,"
                             " last_seen_at, mfa_at, mfa_pending, address, user_agent)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    COFFER_RETURN_IF_ERROR(s->BindAll(row.id_hash, row.user_id, row.created_at, row.expires_at,
                                      row.last_seen_at, row.mfa_at,
                                      int64_t{row.mfa_pending ? 1 : 0}, row.address, row.user_agent)
                               .Run());
    SessionRow stored = row;
    stored.id = id = db_->LastInsertId();
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("UPDATE sessions SET mac = ? WHERE id = ?"));
    return m->BindAll(mac_.Compute(kSessionsDomain, SessionFields(stored)), id).Run();
  }));
  return id;
}

Result<std::optional<SessionRow>> SqliteRepo::FindSession(const Bytes& id_hash) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, id_hash, user_id, created_at, expires_at, last_seen_at,"
                           " mfa_at, mfa_pending, address, user_agent, mac FROM sessions"
                           " WHERE id_hash = ?"));
  s->Bind(id_hash);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<SessionRow>();
  SessionRow r = SessionFrom(*s);
  if (!mac_.Verify(kSessionsDomain, SessionFields(r), s->Text(10))) {
    Alert("sessions", r.id, "MAC mismatch: row forged or altered outside Coffer");
    return std::optional<SessionRow>();
  }
  return std::optional<SessionRow>(std::move(r));
}

Result<std::vector<SessionRow>> SqliteRepo::ListSessions(Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, id_hash, user_id, created_at, expires_at, last_seen_at,"
                           " mfa_at, mfa_pending, address, user_agent, mac FROM sessions"
                           " WHERE user_id = ? ORDER BY id DESC LIMIT 1000"));
  s->Bind(user_id);
  std::vector<SessionRow> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    SessionRow r = SessionFrom(*s);
    if (!mac_.Verify(kSessionsDomain, SessionFields(r), s->Text(10))) {
      Alert("sessions", r.id, "MAC mismatch: row forged or altered outside Coffer");
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Status SqliteRepo::TouchSession(Id id, int64_t last_seen_at) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(last_seen_at, id).Run());
  return ExpectChange("no such session");
}

Status SqliteRepo::CompleteSessionMfa(Id id, int64_t mfa_at) {
  return db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(
        auto s, db_->Prepare("SELECT id, id_hash, user_id, created_at, expires_at, last_seen_at,"
                             " mfa_at, mfa_pending, address, user_agent, mac FROM sessions"
                             " WHERE id = ?"));
    s->Bind(id);
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return NotFound("no such session");
    SessionRow r = SessionFrom(*s);
    if (!mac_.Verify(kSessionsDomain, SessionFields(r), s->Text(10))) {
      Alert("sessions", r.id, "MAC mismatch: row forged or altered outside Coffer");
      return NotFound("no such session");
    }
    r.mfa_at = mfa_at;
    r.mfa_pending = false;
    COFFER_ASSIGN_OR_RETURN(
        auto u,
        db_->Prepare("UPDATE sessions SET mfa_at = ?, mfa_pending = 0, mac = ? WHERE id = ?"));
    return u->BindAll(mfa_at, mac_.Compute(kSessionsDomain, SessionFields(r)), id).Run();
  });
}

Status SqliteRepo::DeleteSession(Id user_id, Id id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("DELETE FROM sessions WHERE user_id = ? AND id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(user_id, id).Run());
  return ExpectChange("no such session");
}

Result<int64_t> SqliteRepo::DeleteSessionsOf(Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM sessions WHERE ? = 0 OR user_id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(user_id, user_id).Run());
  return int64_t{db_->Changes()};
}

Result<int64_t> SqliteRepo::DeleteExpiredSessions(int64_t now) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s, db_->Prepare("DELETE FROM sessions WHERE expires_at <= ?"));
  COFFER_RETURN_IF_ERROR(s->Bind(now).Run());
  return int64_t{db_->Changes()};
}

Result<Id> SqliteRepo::InsertApiToken(const ApiTokenRow& row) {
  Id id = 0;
  COFFER_RETURN_IF_ERROR(db_->Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(
        auto s, db_->Prepare("INSERT INTO api_tokens (public_id, secret_hash, user_id, name,"
                             " scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    COFFER_RETURN_IF_ERROR(s->BindAll(row.public_id, row.secret_hash, row.user_id, row.name,
                                      int64_t{row.scopes}, row.created_at, row.expires_at)
                               .Run());
    ApiTokenRow stored = row;
    stored.id = id = db_->LastInsertId();
    COFFER_ASSIGN_OR_RETURN(auto m, db_->Prepare("UPDATE api_tokens SET mac = ? WHERE id = ?"));
    return m->BindAll(mac_.Compute(kTokensDomain, TokenFields(stored)), id).Run();
  }));
  return id;
}

Result<std::optional<ApiTokenRow>> SqliteRepo::FindApiToken(std::string_view public_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, public_id, secret_hash, user_id, name, scopes, created_at,"
                           " expires_at, last_used_at, mac FROM api_tokens WHERE public_id = ?"));
  s->Bind(public_id);
  COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<ApiTokenRow>();
  ApiTokenRow r = TokenFrom(*s);
  if (!mac_.Verify(kTokensDomain, TokenFields(r), s->Text(9))) {
    Alert("api_tokens", r.id, "MAC mismatch: row forged or altered outside Coffer");
    return std::optional<ApiTokenRow>();
  }
  return std::optional<ApiTokenRow>(std::move(r));
}

Result<std::vector<ApiTokenRow>> SqliteRepo::ListApiTokens(Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(
      auto s, db_->Prepare("SELECT id, public_id, secret_hash, user_id, name, scopes, created_at,"
                           " expires_at, last_used_at, mac FROM api_tokens WHERE user_id = ?"
                           " ORDER BY id DESC LIMIT 1000"));
  s->Bind(user_id);
  std::vector<ApiTokenRow> out;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    ApiTokenRow r = TokenFrom(*s);
    if (!mac_.Verify(kTokensDomain, TokenFields(r), s->Text(9))) {
      Alert("api_tokens", r.id, "MAC mismatch: row forged or altered outside Coffer");
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

Status SqliteRepo::TouchApiToken(Id id, int64_t last_used_at) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(last_used_at, id).Run());
  return ExpectChange("no such token");
}

Status SqliteRepo::DeleteApiToken(Id user_id, Id id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("DELETE FROM api_tokens WHERE user_id = ? AND id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(user_id, id).Run());
  return ExpectChange("no such token");
}

Result<int64_t> SqliteRepo::DeleteApiTokensOf(Id user_id) {
  auto lock = db_->Lock();
  COFFER_ASSIGN_OR_RETURN(auto s,
                          db_->Prepare("DELETE FROM api_tokens WHERE ? = 0 OR user_id = ?"));
  COFFER_RETURN_IF_ERROR(s->BindAll(user_id, user_id).Run());
  return int64_t{db_->Changes()};
}

}  // namespace coffer::store
