// MfaService: the TOTP second factor (RFC 6238: HMAC-SHA-1, 6 digits, 30 s
// steps, the step before and after accepted), its recovery codes, and the
// policy of who must use it. Every front-end uses it the same way.
//
// Sign-in (after the first factor, AdminService::Authenticate or
// AuthenticateKey, has returned a Principal):
//   switch (SecondFactorFor(p)):
//     kNotNeeded  -> signed in.
//     kCode       -> ask for a code; VerifySignIn(c, p, code) returns the
//                    principal with mfa = true and mfa_at = now.
//                    A recovery code ("xxxxx-xxxxx") is accepted instead, once.
//     kMustEnrol  -> policy requires a second factor and the user has none.
//                    A front-end that can enrol (HTTPS) lets the principal call
//                    only BeginEnrolment / ConfirmEnrolment, then asks for a
//                    code; one that cannot (SFTP) refuses the sign-in.
// A user who enrolled is always asked, required or not.
//
// Guarantees:
//  - A code is accepted once: the last accepted time step is stored and only
//    later steps pass (replay refused, also across nodes).
//  - A wrong code is a failed sign-in for the defender (account delay and lock,
//    address score), exactly like a wrong password.
//  - The seed is stored sealed with a key derived from key material outside the
//    database (crypto/field_sealer.h); recovery codes as keyed hashes. Rows are
//    MAC'd, and whether a user has a second factor is part of the users row's
//    MAC, so no SQL write alone can turn MFA on or off for anyone: a forged or
//    deleted secret row fails closed (codes are refused until an administrator
//    resets the user's MFA).
//  - Policy (administrators, groups) is kept as MAC'd settings; changing it and
//    resetting a user's MFA are administrator actions that need a fresh second
//    factor (or the local CLI). Every call writes an activity record.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "crypto/field_sealer.h"
#include "service/activity.h"
#include "service/defender.h"
#include "store/metadata_store.h"

namespace coffer::service {

enum class SecondFactor { kNotNeeded, kCode, kMustEnrol };

struct MfaEnrolment {
  std::string secret_base32;  // 32 characters (160 bits), for manual entry
  std::string otpauth_uri;    // otpauth://totp/<issuer>:<user>?secret=...&issuer=...
  std::string qr_svg;         // the URI as a QR code (service/qr_svg.h)
};

struct MfaStatus {
  std::string user;
  bool required = false;  // by policy (administrator, or member of a group that requires it)
  bool enrolled = false;  // a confirmed second factor
  bool secret_ok = true;  // false: enrolled but the stored secret is missing or forged
  int64_t enabled_at = 0;
  int64_t recovery_codes_left = 0;
};

struct MfaPolicy {
  bool admins_required = true;
  std::vector<std::string> groups_required;  // group names
};

inline constexpr int kRecoveryCodeCount = 10;
inline constexpr int64_t kEnrolmentSeconds = 900;  // a begun enrolment must be confirmed within

class MfaService {
 public:
  // `key_material` is the row-MAC key (kept outside the database); sealing and
  // hashing keys are derived from it for this purpose only.
  MfaService(const config::Config& config, store::MetadataStore& store, ActivityLog& activity,
             Defender& defender, const crypto::SecretKey& key_material);

  // Sign-in.
  Result<SecondFactor> SecondFactorFor(const Principal& p);
  // kUnauthenticated ("invalid code") for a wrong, reused or expired code, a
  // locked account or a banned address; the defender counts the failure.
  Result<Principal> VerifySignIn(const Context& c, const Principal& p, std::string_view code);

  // The principal's own second factor. Begin replaces an unconfirmed enrolment;
  // kAlreadyExists if one is confirmed. Confirm needs a code from the new seed
  // within kEnrolmentSeconds and returns kRecoveryCodeCount recovery codes, shown
  // once. Disable and RegenerateRecoveryCodes need a current code.
  Result<MfaEnrolment> BeginEnrolment(const Principal& p, const Context& c);
  Result<std::vector<std::string>> ConfirmEnrolment(const Principal& p, const Context& c,
                                                    std::string_view code);
  Status Disable(const Principal& p, const Context& c, std::string_view code);
  Result<std::vector<std::string>> RegenerateRecoveryCodes(const Principal& p, const Context& c,
                                                           std::string_view code);

  // A user's status: their own, or anyone's for administrators.
  Result<MfaStatus> GetStatus(const Principal& p, const Context& c, std::string_view user);
  // Administrators (fresh second factor): removes a user's second factor and
  // recovery codes, e.g. after a lost phone. Recorded as "mfa.reset".
  Status Reset(const Principal& p, const Context& c, std::string_view user);

  // Policy. Reading: administrators. Changing: administrators with a fresh
  // second factor. Recorded as "mfa.policy".
  Result<MfaPolicy> GetPolicy(const Principal& p, const Context& c);
  Status SetAdminsRequired(const Principal& p, const Context& c, bool required);
  Status SetGroupRequired(const Principal& p, const Context& c, std::string_view group,
                          bool required);

 private:
  struct Accepted {
    int64_t step = 0;  // 0 for a recovery code
  };
  int64_t Now() const { return activity_.NowUs() / 1000000; }
  Result<bool> Required(const store::User& u, const std::vector<store::Id>& group_ids);
  Result<bool> AdminsRequired();
  Result<store::User> FindUser(std::string_view name);
  std::string Associated(store::Id user_id) const;
  // Checks a TOTP code against the user's confirmed seed and stores its step.
  Result<Accepted> AcceptCode(store::Id user_id, std::string_view code, bool allow_recovery);
  Result<std::vector<std::string>> NewRecoveryCodes(store::Id user_id);
  Status ChangePolicy(const Principal& p, const Context& c, std::string key, bool value,
                      std::string detail);

  const config::Config& config_;
  store::MetadataStore& store_;
  ActivityLog& activity_;
  Defender& defender_;
  crypto::FieldSealer sealer_;
};

}  // namespace coffer::service
