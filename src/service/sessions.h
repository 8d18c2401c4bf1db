// SessionService: web sessions, API tokens and lockdown, through the one door.
//
// A session starts with a password sign-in (AdminService::Authenticate, so the
// defender, lockout and constant-work rules apply) and is named by 256 random
// bits the client keeps in a cookie; the store holds only their SHA-256. It ends
// after [accounts] session_idle_minutes unused, session_max_hours after sign-in,
// on sign-out, on revocation, or when its user is disabled or locked down. The
// CSRF token of a session is derived from its id, so it needs no storage.
//
// An API token reads "cft_<public id>_<secret>": the public id finds the row,
// the secret's SHA-256 must match it. Scopes (read, write, admin) narrow what a
// token reaches; a token without the admin scope acts as a plain user even for
// an administrator, and no token grants more than its owner currently has.
//
// Lockdown (incident response): for one user or everyone, every session and
// token is revoked and remote sign-in (password, key, token) is refused until an
// administrator lifts it. Only the local CLI stays usable. Audited.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "service/activity.h"
#include "service/admin_service.h"
#include "service/mfa.h"
#include "store/metadata_store.h"

namespace coffer::service {

inline constexpr uint32_t kScopeRead = 1;
inline constexpr uint32_t kScopeWrite = 2;
inline constexpr uint32_t kScopeAdmin = 4;
inline constexpr uint32_t kAllScopes = kScopeRead | kScopeWrite | kScopeAdmin;

// "read,write" -> bits; kInvalidArgument for an unknown or empty list.
Result<uint32_t> ParseScopes(std::string_view text);
std::vector<std::string> ScopeNames(uint32_t scopes);

struct NewSession {
  std::string id;    // the cookie value; returned once, never stored
  std::string csrf;  // the X-CSRF-Token value
  Principal principal;
  bool mfa_pending = false;  // the second factor is still owed (CompleteMfa)
  bool must_enrol = false;   // ... and the user must first enrol one (ConfirmEnrolment)
  int64_t expires_at = 0;
};

// A request's caller, resumed from a session or token.
struct Resumed {
  Principal principal;
  std::string session_ref;  // "s<id>" or "t<public id>", for activity records
  uint32_t scopes = kAllScopes;
  bool by_session = false;
  std::string csrf;  // sessions only
  // A session that still owes its second factor (resumed with allow_mfa_pending):
  // it may only give the code, or, with must_enrol, enrol one.
  bool mfa_pending = false;
  bool must_enrol = false;
};

struct SessionInfo {
  store::Id id = 0;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;
  std::string address;
  std::string user_agent;
  bool current = false;
};

struct TokenInfo {
  store::Id id = 0;
  std::string name;
  std::string public_id;
  uint32_t scopes = 0;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t last_used_at = 0;
};

struct NewToken {
  TokenInfo info;
  std::string token;  // shown once
};

struct LockdownState {
  bool all = false;
  std::vector<std::string> users;
};

class SessionService {
 public:
  // Without `mfa` no sign-in asks for a second factor (unit tests of other parts).
  SessionService(const config::Config& config, store::MetadataStore& store, ActivityLog& activity,
                 AdminService& admin, MfaService* mfa = nullptr);

  // Password sign-in that opens a session. kUnauthenticated, one message, for
  // every failure (the activity record says which). When MfaService::SecondFactorFor
  // says kCode or kMustEnrol the session is opened pending (mfa_pending).
  Result<NewSession> SignIn(const Context& c, std::string_view name, std::string_view password,
                            std::string_view user_agent);
  // The caller behind a session id or token, or kUnauthenticated. A session that
  // still owes its second factor resumes only with `allow_mfa_pending`.
  Result<Resumed> Resume(const Context& c, std::string_view session_id,
                         bool allow_mfa_pending = false);
  Result<Resumed> ResumeToken(const Context& c, std::string_view token);
  // Checks a second-factor code (TOTP or recovery code, MfaService::VerifySignIn:
  // replay refused, failures counted by the defender) for the session's user and
  // records it on the session: a pending session becomes complete, a complete
  // one gets a fresh mfa_at (re-authentication before sensitive actions).
  // kUnauthenticated for a wrong code or an unknown session.
  Result<Resumed> CompleteMfa(const Context& c, std::string_view session_id, std::string_view code);
  // Confirms the session user's TOTP enrolment (MfaService::ConfirmEnrolment)
  // and, since the confirming code is a second factor, completes a pending
  // session. Returns the recovery codes, shown once.
  Result<std::vector<std::string>> ConfirmEnrolment(const Context& c, std::string_view session_id,
                                                    std::string_view code);
  Status SignOut(const Principal& p, const Context& c, std::string_view session_id);

  // A user's own sessions (administrators: anyone's with `user`).
  Result<std::vector<SessionInfo>> ListSessions(const Principal& p, const Context& c,
                                                std::string_view user,
                                                std::string_view current_session_id = {});
  Status RevokeSession(const Principal& p, const Context& c, std::string_view user,
                       store::Id session_id);
  // Every session of `user` (administrators, or the user themself).
  Result<int64_t> RevokeAllSessions(const Principal& p, const Context& c, std::string_view user);

  // Tokens: a user makes their own; administrators make and revoke anyone's.
  // `days` 0 means token_max_days.
  Result<NewToken> CreateToken(const Principal& p, const Context& c, std::string_view user,
                               std::string_view name, uint32_t scopes, uint32_t days);
  Result<std::vector<TokenInfo>> ListTokens(const Principal& p, const Context& c,
                                            std::string_view user);
  Status RevokeToken(const Principal& p, const Context& c, std::string_view user,
                     store::Id token_id);

  // Lockdown of one user (`user` set) or everyone; administrators only.
  Status Lockdown(const Principal& p, const Context& c, std::optional<std::string_view> user);
  Status LiftLockdown(const Principal& p, const Context& c, std::optional<std::string_view> user);
  Result<LockdownState> GetLockdown(const Principal& p, const Context& c);

  // Removes expired sessions (the background job).
  Result<int64_t> PurgeExpired();

  static std::string CsrfFor(std::string_view session_id);

 private:
  Result<store::User> Owner(const Principal& p, std::string_view user);
  Result<Resumed> ResumeRow(const Context& c, const store::SessionRow& row, std::string_view id,
                            bool allow_mfa_pending);
  int64_t Now() const { return activity_.NowUs() / 1000000; }

  const config::Config& config_;
  store::MetadataStore& store_;
  ActivityLog& activity_;
  AdminService& admin_;
  MfaService* mfa_;
};

}  // namespace coffer::service
