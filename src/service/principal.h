// Principal and Context: who is acting and from where. Every call into the
// service layer carries both; nothing is reachable without them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/metadata_store.h"

namespace coffer::service {

enum class AuthMethod { kNone, kPassword, kPublicKey, kToken, kSystem };

struct Principal {
  store::Id user_id = 0;  // 0 for the system principal
  std::string name;       // user name, or "system"
  store::Role role = store::Role::kUser;
  std::vector<store::Id> group_ids;
  AuthMethod auth = AuthMethod::kNone;
  bool mfa = false;
  int64_t mfa_at = 0;              // when the second factor was last verified (unix s)
  int64_t session_started_at = 0;  // web sessions: when the password was given
  // Signed in with a password that must be changed first (printed one-time or
  // reset by an administrator). Front-ends that cannot change it refuse.
  bool must_change_password = false;

  bool is_admin() const { return role == store::Role::kAdmin; }
  // The local admin CLI: an audited administrator named "system".
  static Principal System() {
    Principal p;
    p.name = "system";
    p.role = store::Role::kAdmin;
    p.auth = AuthMethod::kSystem;
    return p;
  }
};

// The message of the kPermissionDenied a sensitive administrator action returns
// when the caller's second factor is missing or older than [mfa] fresh_seconds
// (RequireFreshSecondFactor). Front-ends recognise it to ask for re-authentication.
inline constexpr std::string_view kFreshSecondFactorNeeded =
    "this action needs a second factor verified in the last few minutes";

struct Context {
  std::string protocol;  // "cli", "https", "sftp", "ftps", "system"
  std::string address;   // remote address, "local" for the CLI
  std::string session;   // session id or ""
};

}  // namespace coffer::service
