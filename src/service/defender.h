// Defender: sign-in defence shared by every protocol, kept in the metadata
// store so that several nodes share it.
//
//  - Per account and source address: after a failure, the next attempt must
//    wait 1, 2, 4 ... seconds (up to failure_delay_max_seconds); after
//    lockout_failures the account is locked for that address, and after
//    lockout_failures_total from all addresses together it is locked
//    everywhere, for lockout_seconds or until an administrator unlocks it.
//    Locking per address keeps an attacker from locking the owner out from
//    elsewhere; the total bounds guessing spread over many addresses.
//  - Per source address: failed sign-ins, probes for unknown users and protocol
//    errors add points that fade over score_window_seconds; at ban_score the
//    address is banned, for ban_seconds doubling on each repeat.
//  - Administrators' rules: "deny" networks are always refused; "allow"
//    networks are never banned (rules are MAC'd rows).
// The caller answers a refused attempt exactly like a wrong password.
// Thread-safe (state lives in the store; each update is one transaction).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "service/activity.h"
#include "store/metadata_store.h"

namespace coffer::service {

enum class Offence { kFailedSignIn, kUnknownUser, kProtocolError };

struct BanInfo {
  std::string address;
  int64_t banned_until = 0;
  int64_t bans = 0;
};

struct IpRuleInfo {
  std::string network;
  bool allow = false;
  std::string comment;
  int64_t created_at = 0;
};

// "192.0.2.7", "192.0.2.0/24", "2001:db8::/32", "::1". Returns the canonical
// text, or kInvalidArgument.
Result<std::string> CanonicalNetwork(std::string_view text);
// Whether `address` (an IP address in text) lies in `network` (canonical).
bool NetworkContains(std::string_view network, std::string_view address);

class Defender {
 public:
  // `fresh_seconds` ([mfa]): how recent an administrator's second factor must
  // be to add an allow rule, which exempts addresses from every ban.
  Defender(const config::SecurityConfig& config, uint32_t fresh_seconds,
           store::MetadataStore& store, ActivityLog& log);

  // kPermissionDenied if the address is denied by a rule or banned now.
  Status CheckAddress(std::string_view address);
  // Adds an offence's points to the address; bans it when the score is reached.
  void Record(const Context& c, Offence offence);

  // kUnauthenticated if the account may not try a password from this address
  // now (locked, or within the delay after a failure).
  Status CheckAccount(store::Id user_id, std::string_view address);
  void AccountFailed(const Context& c, store::Id user_id, std::string_view user_name);
  void AccountSucceeded(store::Id user_id, std::string_view address);

  // Administration: administrators only; each call is recorded.
  Result<std::vector<BanInfo>> ListBans(const Principal& p, const Context& c);
  Status Ban(const Principal& p, const Context& c, std::string_view address, int64_t seconds);
  Status Unban(const Principal& p, const Context& c, std::string_view address);
  Result<std::vector<IpRuleInfo>> ListRules(const Principal& p, const Context& c);
  Status AddRule(const Principal& p, const Context& c, std::string_view network, bool allow,
                 std::string_view comment);
  Status RemoveRule(const Principal& p, const Context& c, std::string_view network);
  Status Unlock(const Principal& p, const Context& c, store::Id user_id, std::string_view name);

 private:
  int64_t Now() const { return log_.NowUs() / 1000000; }
  // The rule deciding this address, if any: 1 allow, -1 deny, 0 none.
  int RuleFor(std::string_view address);
  Status LockAfterFailure(store::AccountFailures& f, int64_t threshold, int64_t now);

  const config::SecurityConfig& config_;
  const uint32_t fresh_seconds_;
  store::MetadataStore& store_;
  ActivityLog& log_;
};

}  // namespace coffer::service
