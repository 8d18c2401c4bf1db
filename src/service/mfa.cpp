// MfaService: TOTP enrolment, sign-in codes, recovery codes and policy.
#include "service/mfa.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "crypto/totp.h"
#include "service/names.h"
#include "service/operation.h"
#include "service/qr_svg.h"

namespace coffer::service {

namespace {

constexpr char kAdminsSetting[] = "mfa.required.admins";
constexpr char kGroupSettingPrefix[] = "mfa.required.group.";
constexpr size_t kSecretBytes = 20;  // RFC 4226 recommends 160 bits
constexpr size_t kMaxCodeBytes = 64;

const Status kInvalidCode = Unauthenticated("invalid code");

bool SameCode(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IsTotpCode(std::string_view code) {
  return code.size() == static_cast<size_t>(crypto::kTotpDigits) &&
         std::all_of(code.begin(), code.end(), [](unsigned char ch) { return std::isdigit(ch); });
}

// Recovery codes are 10 letters of the base32 alphabet (50 bits), shown as
// "xxxxx-xxxxx"; input is compared without case, dashes or spaces.
std::string NormalRecoveryCode(std::string_view code) {
  std::string out;
  for (char ch : code) {
    if (ch == '-' || ch == ' ') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out += {'%', kHex[ch >> 4], kHex[ch & 15]};
    }
  }
  return out;
}

}  // namespace

MfaService::MfaService(const config::Config& config, store::MetadataStore& store,
                       ActivityLog& activity, Defender& defender,
                       const crypto::SecretKey& key_material)
    : config_(config),
      store_(store),
      activity_(activity),
      defender_(defender),
      sealer_(key_material, "cofr-mfa") {}

std::string MfaService::Associated(store::Id user_id) const {
  return "mfa_secrets/v1|" + std::to_string(user_id);
}

Result<store::User> MfaService::FindUser(std::string_view name) {
  COFFER_ASSIGN_OR_RETURN(NormalName n, NormalizeAccountName(name));
  auto u = store_.GetUserByName(n.key);
  if (!u.ok() && u.status().code() == Code::kNotFound) return NotFound("no such user");
  return u;
}

Result<bool> MfaService::AdminsRequired() {
  COFFER_ASSIGN_OR_RETURN(auto v, store_.GetSetting(kAdminsSetting));
  return !v || *v != "0";  // required unless an administrator turned it off
}

Result<bool> MfaService::Required(const store::User& u, const std::vector<store::Id>& group_ids) {
  if (u.role == store::Role::kAdmin) {
    COFFER_ASSIGN_OR_RETURN(bool admins, AdminsRequired());
    if (admins) return true;
  }
  for (store::Id gid : group_ids) {
    COFFER_ASSIGN_OR_RETURN(auto v, store_.GetSetting(kGroupSettingPrefix + std::to_string(gid)));
    if (v && *v == "1") return true;
  }
  return false;
}

Result<SecondFactor> MfaService::SecondFactorFor(const Principal& p) {
  if (p.user_id == 0) return SecondFactor::kNotNeeded;  // the local system principal
  COFFER_ASSIGN_OR_RETURN(store::User u, store_.GetUser(p.user_id));
  if (u.mfa_enabled) return SecondFactor::kCode;
  COFFER_ASSIGN_OR_RETURN(auto groups, store_.ListGroupIdsOfUser(u.id));
  COFFER_ASSIGN_OR_RETURN(bool required, Required(u, groups));
  return required ? SecondFactor::kMustEnrol : SecondFactor::kNotNeeded;
}

Result<MfaService::Accepted> MfaService::AcceptCode(store::Id user_id, std::string_view code,
                                                    bool allow_recovery) {
  if (code.size() > kMaxCodeBytes) return kInvalidCode;
  Accepted accepted;
  COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(store::User u, store_.GetUser(user_id));
    if (!u.mfa_enabled) return kInvalidCode;
    COFFER_ASSIGN_OR_RETURN(auto secret, store_.GetMfaSecret(user_id));
    if (!secret || !secret->enabled) return kInvalidCode;  // forged or missing: fail closed
    if (!IsTotpCode(code)) {
      if (!allow_recovery) return kInvalidCode;
      std::string normal = NormalRecoveryCode(code);
      Status used = store_.UseRecoveryCode(
          user_id, sealer_.KeyedHash("recovery|" + std::to_string(user_id) + "|" + normal));
      return used.ok() ? Status::Ok() : kInvalidCode;
    }
    auto seed = sealer_.Open(secret->sealed_secret, Associated(user_id));
    if (!seed.ok()) return kInvalidCode;
    const int64_t now_step = crypto::TotpStep(Now());
    std::string given(code);
    for (int64_t step = now_step - 1; step <= now_step + 1; ++step) {
      if (step <= secret->last_step) continue;  // already used, or older than one used
      if (SameCode(crypto::Hotp(*seed, static_cast<uint64_t>(step)), given)) {
        accepted.step = step;
        secret->last_step = step;
        sodium_memzero(seed->data(), seed->size());
        return store_.PutMfaSecret(*secret);
      }
    }
    sodium_memzero(seed->data(), seed->size());
    return kInvalidCode;
  }));
  return accepted;
}

Result<Principal> MfaService::VerifySignIn(const Context& c, const Principal& p,
                                           std::string_view code) {
  Operation op(activity_, p, c, "auth.mfa", "");
  op.fact().object_id = p.user_id;
  auto run = [&]() -> Result<Principal> {
    if (p.user_id == 0) return InvalidArgument("no second factor for this principal");
    if (Status st = defender_.CheckAddress(c.address); !st.ok()) {
      op.fact().detail = st.message();
      return kInvalidCode;
    }
    if (Status st = defender_.CheckAccount(p.user_id, c.address); !st.ok()) {
      op.fact().detail = st.message();
      return kInvalidCode;
    }
    auto accepted = AcceptCode(p.user_id, code, true);
    if (!accepted.ok()) {
      defender_.AccountFailed(c, p.user_id, p.name);
      defender_.Record(c, Offence::kFailedSignIn);
      return kInvalidCode;
    }
    defender_.AccountSucceeded(p.user_id, c.address);
    if (accepted->step == 0) op.fact().detail = "recovery code used";
    Principal out = p;
    out.mfa = true;
    out.mfa_at = Now();
    return out;
  };
  return op.Finish(run());
}

Result<MfaEnrolment> MfaService::BeginEnrolment(const Principal& p, const Context& c) {
  Operation op(activity_, p, c, "mfa.enrol.begin", p.name);
  op.fact().object_id = p.user_id;
  auto run = [&]() -> Result<MfaEnrolment> {
    if (p.user_id == 0) return InvalidArgument("the system principal has no second factor");
    uint8_t seed[kSecretBytes];
    randombytes_buf(seed, sizeof seed);
    MfaEnrolment e;
    e.secret_base32 = crypto::Base32Encode(seed);
    store::MfaSecret s;
    s.user_id = p.user_id;
    s.sealed_secret = sealer_.Seal(seed, Associated(p.user_id));
    s.created_at = Now();
    sodium_memzero(seed, sizeof seed);
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(store::User u, store_.GetUser(p.user_id));
      if (u.mfa_enabled) return AlreadyExists("a second factor is already enrolled");
      COFFER_RETURN_IF_ERROR(store_.PutMfaSecret(s));
      return op.AppendInTx();
    }));
    std::string label = PercentEncode(config_.mfa.issuer) + ":" + PercentEncode(p.name);
    e.otpauth_uri = "otpauth://totp/" + label + "?secret=" + e.secret_base32 +
                    "&issuer=" + PercentEncode(config_.mfa.issuer) +
                    "&algorithm=SHA1&digits=6&period=30";
    COFFER_ASSIGN_OR_RETURN(e.qr_svg, QrSvg(e.otpauth_uri));
    return e;
  };
  return op.Finish(run());
}

Result<std::vector<std::string>> MfaService::NewRecoveryCodes(store::Id user_id) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::vector<std::string> codes, hashes;
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    std::string code;
    for (int j = 0; j < 10; ++j) code.push_back(kAlphabet[randombytes_uniform(32)]);
    hashes.push_back(sealer_.KeyedHash("recovery|" + std::to_string(user_id) + "|" + code));
    codes.push_back(code.substr(0, 5) + "-" + code.substr(5));
  }
  COFFER_RETURN_IF_ERROR(store_.ReplaceRecoveryCodes(user_id, hashes, Now()));
  return codes;
}

Result<std::vector<std::string>> MfaService::ConfirmEnrolment(const Principal& p, const Context& c,
                                                              std::string_view code) {
  Operation op(activity_, p, c, "mfa.enrol.confirm", p.name);
  op.fact().object_id = p.user_id;
  auto run = [&]() -> Result<std::vector<std::string>> {
    if (p.user_id == 0) return InvalidArgument("the system principal has no second factor");
    if (!IsTotpCode(code)) return InvalidArgument("a code is 6 digits");
    std::vector<std::string> codes;
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(store::User u, store_.GetUser(p.user_id));
      if (u.mfa_enabled) return AlreadyExists("a second factor is already enrolled");
      COFFER_ASSIGN_OR_RETURN(auto s, store_.GetMfaSecret(p.user_id));
      if (!s || s->enabled) return FailedPrecondition("begin the enrolment first");
      if (Now() - s->created_at > kEnrolmentSeconds) {
        return FailedPrecondition("the enrolment expired; begin again");
      }
      COFFER_ASSIGN_OR_RETURN(Bytes seed, sealer_.Open(s->sealed_secret, Associated(p.user_id)));
      const int64_t now_step = crypto::TotpStep(Now());
      int64_t matched = 0;
      for (int64_t step = now_step - 1; step <= now_step + 1; ++step) {
        if (SameCode(crypto::Hotp(seed, static_cast<uint64_t>(step)), std::string(code))) {
          matched = step;
        }
      }
      sodium_memzero(seed.data(), seed.size());
      if (matched == 0) return kInvalidCode;
      s->enabled = true;
      s->last_step = matched;  // the confirming code cannot sign in as well
      s->enabled_at = Now();
      COFFER_RETURN_IF_ERROR(store_.PutMfaSecret(*s));
      u.mfa_enabled = true;
      COFFER_RETURN_IF_ERROR(store_.UpdateUser(u));
      COFFER_ASSIGN_OR_RETURN(codes, NewRecoveryCodes(p.user_id));
      return op.AppendInTx();
    }));
    return codes;
  };
  return op.Finish(run());
}

Status MfaService::Disable(const Principal& p, const Context& c, std::string_view code) {
  Operation op(activity_, p, c, "mfa.disable", p.name);
  op.fact().object_id = p.user_id;
  auto run = [&]() -> Status {
    if (p.user_id == 0) return InvalidArgument("the system principal has no second factor");
    auto accepted = AcceptCode(p.user_id, code, false);
    if (!accepted.ok()) {
      defender_.AccountFailed(c, p.user_id, p.name);
      return kInvalidCode;
    }
    return store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(store::User u, store_.GetUser(p.user_id));
      u.mfa_enabled = false;
      COFFER_RETURN_IF_ERROR(store_.UpdateUser(u));
      COFFER_RETURN_IF_ERROR(store_.DeleteMfa(p.user_id));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Result<std::vector<std::string>> MfaService::RegenerateRecoveryCodes(const Principal& p,
                                                                     const Context& c,
                                                                     std::string_view code) {
  Operation op(activity_, p, c, "mfa.recovery.regenerate", p.name);
  op.fact().object_id = p.user_id;
  auto run = [&]() -> Result<std::vector<std::string>> {
    if (p.user_id == 0) return InvalidArgument("the system principal has no second factor");
    auto accepted = AcceptCode(p.user_id, code, false);
    if (!accepted.ok()) {
      defender_.AccountFailed(c, p.user_id, p.name);
      return kInvalidCode;
    }
    std::vector<std::string> codes;
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(codes, NewRecoveryCodes(p.user_id));
      return op.AppendInTx();
    }));
    return codes;
  };
  return op.Finish(run());
}

Result<MfaStatus> MfaService::GetStatus(const Principal& p, const Context& c,
                                        std::string_view user) {
  Operation op(activity_, p, c, "mfa.status", std::string(user.substr(0, 64)));
  auto run = [&]() -> Result<MfaStatus> {
    COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(user));
    if (u.id != p.user_id && !p.is_admin()) return PermissionDenied("administrators only");
    op.fact().object_id = u.id;
    MfaStatus s;
    s.user = u.name;
    COFFER_ASSIGN_OR_RETURN(auto groups, store_.ListGroupIdsOfUser(u.id));
    COFFER_ASSIGN_OR_RETURN(s.required, Required(u, groups));
    s.enrolled = u.mfa_enabled;
    if (u.mfa_enabled) {
      COFFER_ASSIGN_OR_RETURN(auto secret, store_.GetMfaSecret(u.id));
      s.secret_ok = secret && secret->enabled;
      if (secret) s.enabled_at = secret->enabled_at;
      COFFER_ASSIGN_OR_RETURN(s.recovery_codes_left, store_.CountRecoveryCodes(u.id));
    }
    return s;
  };
  return op.Finish(run());
}

Status MfaService::Reset(const Principal& p, const Context& c, std::string_view user) {
  Operation op(activity_, p, c, "mfa.reset", std::string(user.substr(0, 64)));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_RETURN_IF_ERROR(RequireFreshSecondFactor(p, Now(), config_.mfa.fresh_seconds));
    return store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(user));
      op.fact().object_id = u.id;
      op.fact().detail = u.mfa_enabled ? "second factor removed" : "no second factor enrolled";
      if (u.mfa_enabled) {
        u.mfa_enabled = false;
        COFFER_RETURN_IF_ERROR(store_.UpdateUser(u));
      }
      COFFER_RETURN_IF_ERROR(store_.DeleteMfa(u.id));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Result<MfaPolicy> MfaService::GetPolicy(const Principal& p, const Context& c) {
  Operation op(activity_, p, c, "mfa.policy.show", "");
  auto run = [&]() -> Result<MfaPolicy> {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    MfaPolicy policy;
    COFFER_ASSIGN_OR_RETURN(policy.admins_required, AdminsRequired());
    COFFER_ASSIGN_OR_RETURN(auto groups, store_.ListGroups());
    for (const auto& g : groups) {
      COFFER_ASSIGN_OR_RETURN(auto v,
                              store_.GetSetting(kGroupSettingPrefix + std::to_string(g.id)));
      if (v && *v == "1") policy.groups_required.push_back(g.name);
    }
    return policy;
  };
  return op.Finish(run());
}

Status MfaService::ChangePolicy(const Principal& p, const Context& c, std::string key, bool value,
                                std::string detail) {
  Operation op(activity_, p, c, "mfa.policy", "");
  op.fact().detail = std::move(detail);
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_RETURN_IF_ERROR(RequireFreshSecondFactor(p, Now(), config_.mfa.fresh_seconds));
    return store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(store_.PutSetting(key, value ? "1" : "0"));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Status MfaService::SetAdminsRequired(const Principal& p, const Context& c, bool required) {
  return ChangePolicy(p, c, kAdminsSetting, required,
                      std::string("administrators ") + (required ? "required" : "not required"));
}

Status MfaService::SetGroupRequired(const Principal& p, const Context& c, std::string_view group,
                                    bool required) {
  auto n = NormalizeAccountName(group);
  auto g = n.ok() ? store_.GetGroupByName(n->key) : Result<store::Group>(n.status());
  if (!g.ok()) {
    Operation op(activity_, p, c, "mfa.policy", std::string(group.substr(0, 64)));
    if (!p.is_admin()) return op.Finish(PermissionDenied("administrators only"));
    return op.Finish(g.status().code() == Code::kNotFound ? NotFound("no such group") : g.status());
  }
  return ChangePolicy(p, c, kGroupSettingPrefix + std::to_string(g->id), required,
                      "group " + g->name + (required ? " required" : " not required"));
}

}  // namespace coffer::service
