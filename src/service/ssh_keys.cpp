// AdminService: users' SSH public keys and public-key sign-in.
#include "service/admin_service.h"
#include "service/operation.h"
#include "service/ssh_key_text.h"

namespace coffer::service {

namespace {

SshKeyInfo KeyInfo(const store::SshKey& k) {
  return {k.algorithm, k.fingerprint, k.comment, k.created_at, k.last_used_at};
}

}  // namespace

Result<store::User> AdminService::KeyOwner(const Principal& p, std::string_view user) {
  COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(user));
  // Someone else's keys: administrators only, and the user's existence is not revealed.
  if (!p.is_admin() && u.id != p.user_id) return PermissionDenied("administrators only");
  return u;
}

Result<SshKeyInfo> AdminService::AddSshKey(const Principal& p, const Context& c,
                                           std::string_view user, std::string_view key_text) {
  Operation op(activity_, p, c, "sshkey.add", std::string(user.substr(0, 64)));
  auto run = [&]() -> Result<SshKeyInfo> {
    if (!p.is_admin() && p.user_id == 0) return PermissionDenied("administrators only");
    COFFER_ASSIGN_OR_RETURN(store::User u, KeyOwner(p, user));
    COFFER_ASSIGN_OR_RETURN(ParsedSshKey parsed, ParseSshKeyText(key_text));
    store::SshKey k{0,
                    u.id,
                    parsed.algorithm,
                    parsed.key_base64,
                    parsed.fingerprint,
                    parsed.comment,
                    op.NowSeconds(),
                    0};
    op.fact().detail = parsed.fingerprint;
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      auto id = store_.AddSshKey(k);
      if (!id.ok() && id.status().code() == Code::kAlreadyExists) {
        return AlreadyExists("this key is already registered for the user");
      }
      COFFER_RETURN_IF_ERROR(id.status());
      op.fact().object_id = k.id = *id;
      return op.AppendInTx();
    }));
    return KeyInfo(k);
  };
  return op.Finish(run());
}

Result<std::vector<SshKeyInfo>> AdminService::ListSshKeys(const Principal& p, const Context& c,
                                                          std::string_view user) {
  Operation op(activity_, p, c, "sshkey.list", std::string(user.substr(0, 64)));
  auto run = [&]() -> Result<std::vector<SshKeyInfo>> {
    COFFER_ASSIGN_OR_RETURN(store::User u, KeyOwner(p, user));
    COFFER_ASSIGN_OR_RETURN(auto keys, store_.ListSshKeys(u.id));
    std::vector<SshKeyInfo> out;
    for (const auto& k : keys) out.push_back(KeyInfo(k));
    return out;
  };
  return op.Finish(run());
}

Status AdminService::RemoveSshKey(const Principal& p, const Context& c, std::string_view user,
                                  std::string_view fingerprint) {
  Operation op(activity_, p, c, "sshkey.remove", std::string(user.substr(0, 64)));
  op.fact().detail = std::string(fingerprint.substr(0, 100));
  auto run = [&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(store::User u, KeyOwner(p, user));
    return store_.Transact([&]() -> Status {
      Status st = store_.DeleteSshKey(u.id, fingerprint);
      if (st.code() == Code::kNotFound)
        return NotFound("the user has no key with this fingerprint");
      COFFER_RETURN_IF_ERROR(st);
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Result<store::SshKey> AdminService::MatchKey(const store::User& u, std::string_view algorithm,
                                             std::string_view key_base64) {
  if (u.disabled || LockedDown(u.id)) return Unauthenticated("key not accepted");
  COFFER_ASSIGN_OR_RETURN(ParsedSshKey offered, ParseSshKeyBlob(algorithm, key_base64));
  COFFER_ASSIGN_OR_RETURN(auto keys, store_.ListSshKeys(u.id));
  for (const auto& k : keys) {
    if (k.fingerprint == offered.fingerprint && k.key_base64 == offered.key_base64 &&
        k.algorithm == offered.algorithm) {
      return k;
    }
  }
  return Unauthenticated("key not accepted");
}

bool AdminService::KeyIsAuthorized(std::string_view name, std::string_view algorithm,
                                   std::string_view key_base64) {
  auto u = FindUser(name);
  bool ok = u.ok() && MatchKey(*u, algorithm, key_base64).ok();
  activity_.Flush();  // integrity alerts found while reading keys
  return ok;
}

Result<Principal> AdminService::AuthenticateKey(const Context& c, std::string_view name,
                                                std::string_view algorithm,
                                                std::string_view key_base64) {
  Principal anonymous;
  anonymous.name = std::string(name.substr(0, 64));
  Operation op(activity_, anonymous, c, "auth.publickey", "");
  auto run = [&]() -> Result<Principal> {
    if (Status st = defender_.CheckAddress(c.address); !st.ok()) {
      op.fact().detail = st.message();
      return Unauthenticated("invalid user name or key");
    }
    auto u = FindUser(name);
    if (!u.ok()) return Unauthenticated("invalid user name or key");
    auto key = MatchKey(*u, algorithm, key_base64);
    if (!key.ok()) return Unauthenticated("invalid user name or key");
    op.fact().object_id = u->id;
    op.fact().detail = key->fingerprint;
    COFFER_RETURN_IF_ERROR(store_.TouchSshKey(key->id, op.NowSeconds()));
    return MakePrincipal(*u, AuthMethod::kPublicKey);
  };
  return op.Finish(run());
}

}  // namespace coffer::service
