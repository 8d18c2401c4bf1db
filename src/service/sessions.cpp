#include "service/sessions.h"

#include <sodium.h>

#include <algorithm>

#include "crypto/sha256.h"
#include "service/names.h"
#include "service/operation.h"

namespace coffer::service {

namespace {

constexpr std::string_view kTokenPrefix = "cft_";
constexpr size_t kPublicIdBytes = 9;  // 12 base64url characters
constexpr size_t kSecretBytes = 32;   // 256 bits
constexpr size_t kSessionIdBytes = 32;
constexpr size_t kMaxUserAgent = 256;
constexpr size_t kMaxTokenName = 100;
// last_seen_at is written at most this often per session (idle time-outs are minutes).
constexpr int64_t kTouchEverySeconds = 30;

std::string Base64Url(ByteSpan bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string RandomText(size_t bytes) {
  Bytes raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  return Base64Url(raw);
}

Bytes HashOf(std::string_view text) {
  auto d = crypto::Sha256::Digest(AsBytes(text));
  return d.ok() ? Bytes(d->begin(), d->end()) : Bytes();
}

bool SameBytes(const Bytes& a, const Bytes& b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Session ids and token secrets are base64url text of a fixed length.
bool WellFormed(std::string_view text, size_t bytes) {
  if (text.size() != sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1)
    return false;
  return std::all_of(text.begin(), text.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
  });
}

std::string UserLockKey(store::Id user_id) { return "lockdown.user." + std::to_string(user_id); }

Status Refused() { return Unauthenticated("sign-in required"); }

}  // namespace

Result<uint32_t> ParseScopes(std::string_view text) {
  uint32_t bits = 0;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view word = text.substr(0, comma);
    if (word == "read")
      bits |= kScopeRead;
    else if (word == "write")
      bits |= kScopeWrite;
    else if (word == "admin")
      bits |= kScopeAdmin;
    else
      return InvalidArgument("scopes are read, write and admin, separated by commas");
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  if (bits == 0) return InvalidArgument("a token needs at least one scope");
  return bits;
}

std::vector<std::string> ScopeNames(uint32_t scopes) {
  std::vector<std::string> out;
  if (scopes & kScopeRead) out.emplace_back("read");
  if (scopes & kScopeWrite) out.emplace_back("write");
  if (scopes & kScopeAdmin) out.emplace_back("admin");
  return out;
}

SessionService::SessionService(const config::Config& config, store::MetadataStore& store,
                               ActivityLog& activity, AdminService& admin, MfaService* mfa)
    : config_(config), store_(store), activity_(activity), admin_(admin), mfa_(mfa) {}

std::string SessionService::CsrfFor(std::string_view session_id) {
  Bytes h = HashOf("coffer-csrf/v1:" + std::string(session_id));
  return Base64Url(h);
}

Result<NewSession> SessionService::SignIn(const Context& c, std::string_view name,
                                          std::string_view password, std::string_view user_agent) {
  COFFER_ASSIGN_OR_RETURN(Principal p, admin_.Authenticate(c, name, password));
  SecondFactor second = SecondFactor::kNotNeeded;
  if (mfa_ != nullptr) {
    COFFER_ASSIGN_OR_RETURN(second, mfa_->SecondFactorFor(p));
  }
  Operation op(activity_, p, c, "session.create", "");
  auto run = [&]() -> Result<NewSession> {
    NewSession s;
    s.id = RandomText(kSessionIdBytes);
    s.csrf = CsrfFor(s.id);
    int64_t now = op.NowSeconds();
    store::SessionRow row;
    row.id_hash = HashOf(s.id);
    row.user_id = p.user_id;
    row.created_at = row.last_seen_at = now;
    row.expires_at = s.expires_at = now + int64_t{config_.accounts.session_max_hours} * 3600;
    row.mfa_pending = s.mfa_pending = second != SecondFactor::kNotNeeded;
    s.must_enrol = second == SecondFactor::kMustEnrol;
    if (s.mfa_pending) op.fact().detail = s.must_enrol ? "mfa enrolment owed" : "mfa code owed";
    row.address = c.address;
    row.user_agent = std::string(user_agent.substr(0, kMaxUserAgent));
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(auto existing, store_.ListSessions(p.user_id));
      // Newest first: end the oldest beyond the limit (the new one makes one more).
      for (size_t i = config_.accounts.max_web_sessions_per_user - 1; i < existing.size(); ++i)
        COFFER_RETURN_IF_ERROR(store_.DeleteSession(p.user_id, existing[i].id));
      COFFER_ASSIGN_OR_RETURN(store::Id id, store_.InsertSession(row));
      op.fact().object_id = id;
      return op.AppendInTx();
    }));
    s.principal = p;
    s.principal.session_started_at = now;
    return s;
  };
  return op.Finish(run());
}

Result<Resumed> SessionService::Resume(const Context& c, std::string_view session_id,
                                       bool allow_mfa_pending) {
  if (!WellFormed(session_id, kSessionIdBytes)) return Refused();
  COFFER_ASSIGN_OR_RETURN(auto row, store_.FindSession(HashOf(session_id)));
  activity_.Flush();  // a forged row found while reading
  if (!row) return Refused();
  return ResumeRow(c, *row, session_id, allow_mfa_pending);
}

Result<Resumed> SessionService::ResumeRow(const Context& c, const store::SessionRow& row,
                                          std::string_view id, bool allow_mfa_pending) {
  int64_t now = Now();
  bool idle = now - row.last_seen_at > int64_t{config_.accounts.session_idle_minutes} * 60;
  if (now >= row.expires_at || idle) {
    (void)store_.DeleteSession(row.user_id, row.id);
    return Refused();
  }
  if (row.mfa_pending && !allow_mfa_pending) return Refused();
  auto user = store_.GetUser(row.user_id);
  if (!user.ok() || user->disabled || admin_.LockedDown(row.user_id)) return Refused();
  COFFER_ASSIGN_OR_RETURN(Principal p, admin_.PrincipalFor(user->name));
  p.auth = AuthMethod::kPassword;
  p.must_change_password = user->must_change_password;
  p.mfa = row.mfa_at > 0;
  p.mfa_at = row.mfa_at;
  p.session_started_at = row.created_at;
  if (now - row.last_seen_at >= kTouchEverySeconds) (void)store_.TouchSession(row.id, now);
  (void)c;
  Resumed r;
  r.mfa_pending = row.mfa_pending;
  if (row.mfa_pending && mfa_ != nullptr) {
    COFFER_ASSIGN_OR_RETURN(SecondFactor second, mfa_->SecondFactorFor(p));
    r.must_enrol = second == SecondFactor::kMustEnrol;
  }
  r.principal = std::move(p);
  r.session_ref = "s" + std::to_string(row.id);
  r.by_session = true;
  r.csrf = CsrfFor(id);
  return r;
}

Result<Resumed> SessionService::CompleteMfa(const Context& c, std::string_view session_id,
                                            std::string_view code) {
  if (mfa_ == nullptr || !WellFormed(session_id, kSessionIdBytes)) return Refused();
  COFFER_ASSIGN_OR_RETURN(auto row, store_.FindSession(HashOf(session_id)));
  if (!row) return Refused();
  COFFER_ASSIGN_OR_RETURN(Resumed r, ResumeRow(c, *row, session_id, true));
  Context sc = c;
  sc.session = r.session_ref;
  COFFER_ASSIGN_OR_RETURN(Principal verified, mfa_->VerifySignIn(sc, r.principal, code));
  COFFER_RETURN_IF_ERROR(store_.CompleteSessionMfa(row->id, verified.mfa_at));
  r.principal = std::move(verified);
  r.mfa_pending = r.must_enrol = false;
  return r;
}

Result<std::vector<std::string>> SessionService::ConfirmEnrolment(const Context& c,
                                                                  std::string_view session_id,
                                                                  std::string_view code) {
  if (mfa_ == nullptr || !WellFormed(session_id, kSessionIdBytes)) return Refused();
  COFFER_ASSIGN_OR_RETURN(auto row, store_.FindSession(HashOf(session_id)));
  if (!row) return Refused();
  COFFER_ASSIGN_OR_RETURN(Resumed r, ResumeRow(c, *row, session_id, true));
  COFFER_ASSIGN_OR_RETURN(auto codes, mfa_->ConfirmEnrolment(r.principal, c, code));
  COFFER_RETURN_IF_ERROR(store_.CompleteSessionMfa(row->id, Now()));
  return codes;
}

Status SessionService::SignOut(const Principal& p, const Context& c, std::string_view session_id) {
  Operation op(activity_, p, c, "session.end", "");
  auto run = [&]() -> Status {
    if (!WellFormed(session_id, kSessionIdBytes)) return Refused();
    COFFER_ASSIGN_OR_RETURN(auto row, store_.FindSession(HashOf(session_id)));
    if (!row || row->user_id != p.user_id) return Refused();
    op.fact().object_id = row->id;
    return store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(store_.DeleteSession(p.user_id, row->id));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Result<Resumed> SessionService::ResumeToken(const Context& c, std::string_view token) {
  // cft_<12 characters>_<43 characters>
  size_t public_len =
      sodium_base64_ENCODED_LEN(kPublicIdBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1;
  if (token.size() < kTokenPrefix.size() + public_len + 1 || !token.starts_with(kTokenPrefix))
    return Refused();
  std::string_view public_id = token.substr(kTokenPrefix.size(), public_len);
  std::string_view rest = token.substr(kTokenPrefix.size() + public_len);
  if (!WellFormed(public_id, kPublicIdBytes) || rest.empty() || rest[0] != '_' ||
      !WellFormed(rest.substr(1), kSecretBytes)) {
    return Refused();
  }
  COFFER_ASSIGN_OR_RETURN(auto row, store_.FindApiToken(public_id));
  activity_.Flush();
  Bytes offered = HashOf(rest.substr(1));
  if (!row || !SameBytes(row->secret_hash, offered)) return Refused();
  int64_t now = Now();
  if (now >= row->expires_at) return Refused();
  auto user = store_.GetUser(row->user_id);
  if (!user.ok() || user->disabled || admin_.LockedDown(row->user_id)) return Refused();
  COFFER_ASSIGN_OR_RETURN(Principal p, admin_.PrincipalFor(user->name));
  p.auth = AuthMethod::kToken;
  // A token without the admin scope acts as a plain user.
  if (!(row->scopes & kScopeAdmin)) p.role = store::Role::kUser;
  if (now - row->last_used_at >= kTouchEverySeconds) (void)store_.TouchApiToken(row->id, now);
  (void)c;
  Resumed r;
  r.principal = std::move(p);
  r.session_ref = "t" + row->public_id;
  r.scopes = row->scopes;
  return r;
}

Result<store::User> SessionService::Owner(const Principal& p, std::string_view user) {
  if (user.empty() || user == p.name) {
    if (p.user_id == 0) return InvalidArgument("name a user");
    return store_.GetUser(p.user_id);
  }
  COFFER_RETURN_IF_ERROR(RequireAdmin(p));
  COFFER_ASSIGN_OR_RETURN(NormalName n, NormalizeAccountName(user));
  auto u = store_.GetUserByName(n.key);
  if (!u.ok() && u.status().code() == Code::kNotFound) return NotFound("no such user");
  return u;
}

Result<std::vector<SessionInfo>> SessionService::ListSessions(const Principal& p, const Context& c,
                                                              std::string_view user,
                                                              std::string_view current_session_id) {
  Operation op(activity_, p, c, "session.list", std::string(user.substr(0, 64)));
  auto run = [&]() -> Result<std::vector<SessionInfo>> {
    COFFER_ASSIGN_OR_RETURN(store::User u, Owner(p, user));
    COFFER_ASSIGN_OR_RETURN(auto rows, store_.ListSessions(u.id));
    Bytes current = current_session_id.empty() ? Bytes() : HashOf(current_session_id);
    int64_t now = Now();
    std::vector<SessionInfo> out;
    for (const auto& r : rows) {
      if (now >= r.expires_at ||
          now - r.last_seen_at > int64_t{config_.accounts.session_idle_minutes} * 60)
        continue;
      out.push_back({r.id, r.created_at, r.last_seen_at, r.expires_at, r.address, r.user_agent,
                     SameBytes(r.id_hash, current)});
    }
    return out;
  };
  return op.Finish(run());
}

Status SessionService::RevokeSession(const Principal& p, const Context& c, std::string_view user,
                                     store::Id session_id) {
  Operation op(activity_, p, c, "session.revoke", std::string(user.substr(0, 64)));
  op.fact().object_id = session_id;
  auto run = [&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(store::User u, Owner(p, user));
    return store_.Transact([&]() -> Status {
      Status st = store_.DeleteSession(u.id, session_id);
      if (st.code() == Code::kNotFound) return NotFound("no such session");
      COFFER_RETURN_IF_ERROR(st);
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Result<int64_t> SessionService::RevokeAllSessions(const Principal& p, const Context& c,
                                                  std::string_view user) {
  Operation op(activity_, p, c, "session.revoke_all", std::string(user.substr(0, 64)));
  auto run = [&]() -> Result<int64_t> {
    COFFER_ASSIGN_OR_RETURN(store::User u, Owner(p, user));
    int64_t n = 0;
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(n, store_.DeleteSessionsOf(u.id));
      op.fact().object_id = u.id;
      op.fact().detail = std::to_string(n) + " session(s)";
      return op.AppendInTx();
    }));
    return n;
  };
  return op.Finish(run());
}

Result<NewToken> SessionService::CreateToken(const Principal& p, const Context& c,
                                             std::string_view user, std::string_view name,
                                             uint32_t scopes, uint32_t days) {
  Operation op(activity_, p, c, "token.create", std::string(user.substr(0, 64)));
  op.fact().detail = std::string(name.substr(0, kMaxTokenName));
  auto run = [&]() -> Result<NewToken> {
    COFFER_ASSIGN_OR_RETURN(store::User u, Owner(p, user));
    if (name.empty() || name.size() > kMaxTokenName)
      return InvalidArgument("a token name has 1 to 100 characters");
    if (scopes == 0 || (scopes & ~kAllScopes)) return InvalidArgument("unknown token scopes");
    if ((scopes & kScopeAdmin) && u.role != store::Role::kAdmin)
      return PermissionDenied("only administrators' tokens may carry the admin scope");
    if (days > config_.accounts.token_max_days)
      return InvalidArgument("token lifetime is longer than [accounts] token_max_days");
    if (days == 0) days = config_.accounts.token_max_days;
    NewToken t;
    store::ApiTokenRow row;
    row.public_id = RandomText(kPublicIdBytes);
    std::string secret = RandomText(kSecretBytes);
    row.secret_hash = HashOf(secret);
    row.user_id = u.id;
    row.name = std::string(name);
    row.scopes = scopes;
    row.created_at = op.NowSeconds();
    row.expires_at = row.created_at + int64_t{days} * 86400;
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(auto existing, store_.ListApiTokens(u.id));
      if (existing.size() >= config_.accounts.max_tokens_per_user)
        return LimitExceeded("the user has as many tokens as [accounts] max_tokens_per_user");
      COFFER_ASSIGN_OR_RETURN(row.id, store_.InsertApiToken(row));
      op.fact().object_id = row.id;
      return op.AppendInTx();
    }));
    t.info = {row.id, row.name, row.public_id, row.scopes, row.created_at, row.expires_at, 0};
    t.token = std::string(kTokenPrefix) + row.public_id + "_" + secret;
    return t;
  };
  return op.Finish(run());
}

Result<std::vector<TokenInfo>> SessionService::ListTokens(const Principal& p, const Context& c,
                                                          std::string_view user) {
  Operation op(activity_, p, c, "token.list", std::string(user.substr(0, 64)));
  auto run = [&]() -> Result<std::vector<TokenInfo>> {
    COFFER_ASSIGN_OR_RETURN(store::User u, Owner(p, user));
    COFFER_ASSIGN_OR_RETURN(auto rows, store_.ListApiTokens(u.id));
    std::vector<TokenInfo> out;
    for (const auto& r : rows)
      out.push_back(
          {r.id, r.name, r.public_id, r.scopes, r.created_at, r.expires_at, r.last_used_at});
    return out;
  };
  return op.Finish(run());
}

Status SessionService::RevokeToken(const Principal& p, const Context& c, std::string_view user,
                                   store::Id token_id) {
  Operation op(activity_, p, c, "token.revoke", std::string(user.substr(0, 64)));
  op.fact().object_id = token_id;
  auto run = [&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(store::User u, Owner(p, user));
    return store_.Transact([&]() -> Status {
      Status st = store_.DeleteApiToken(u.id, token_id);
      if (st.code() == Code::kNotFound) return NotFound("no such token");
      COFFER_RETURN_IF_ERROR(st);
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Status SessionService::Lockdown(const Principal& p, const Context& c,
                                std::optional<std::string_view> user) {
  Operation op(activity_, p, c, user ? "lockdown.user" : "lockdown.all",
               std::string(user.value_or("").substr(0, 64)));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    store::Id user_id = 0;
    if (user) {
      COFFER_ASSIGN_OR_RETURN(store::User u, Owner(p, *user));
      user_id = u.id;
    }
    return store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(
          store_.PutSetting(user ? UserLockKey(user_id) : std::string("lockdown.all"), "1"));
      COFFER_ASSIGN_OR_RETURN(int64_t sessions, store_.DeleteSessionsOf(user_id));
      COFFER_ASSIGN_OR_RETURN(int64_t tokens, store_.DeleteApiTokensOf(user_id));
      op.fact().object_id = user_id;
      op.fact().detail = "revoked " + std::to_string(sessions) + " session(s) and " +
                         std::to_string(tokens) + " token(s); remote sign-in refused";
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Status SessionService::LiftLockdown(const Principal& p, const Context& c,
                                    std::optional<std::string_view> user) {
  Operation op(activity_, p, c, user ? "lockdown.user.lift" : "lockdown.all.lift",
               std::string(user.value_or("").substr(0, 64)));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    std::string key = "lockdown.all";
    if (user) {
      COFFER_ASSIGN_OR_RETURN(store::User u, Owner(p, *user));
      key = UserLockKey(u.id);
      op.fact().object_id = u.id;
    }
    return store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(store_.PutSetting(key, "0"));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Result<LockdownState> SessionService::GetLockdown(const Principal& p, const Context& c) {
  Operation op(activity_, p, c, "lockdown.status", "");
  auto run = [&]() -> Result<LockdownState> {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    LockdownState s;
    COFFER_ASSIGN_OR_RETURN(auto all, store_.GetSetting("lockdown.all"));
    s.all = all && *all == "1";
    std::string after;
    for (;;) {
      COFFER_ASSIGN_OR_RETURN(auto users, store_.ListUsers(after, 1000));
      for (const auto& u : users) {
        COFFER_ASSIGN_OR_RETURN(auto v, store_.GetSetting(UserLockKey(u.id)));
        if (v && *v == "1") s.users.push_back(u.name);
      }
      if (users.size() < 1000) return s;
      after = users.back().name_key;
    }
  };
  return op.Finish(run());
}

Result<int64_t> SessionService::PurgeExpired() { return store_.DeleteExpiredSessions(Now()); }

}  // namespace coffer::service
