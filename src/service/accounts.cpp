// AdminService: users, groups and sign-in.
#include "service/admin_service.h"
#include "service/names.h"
#include "service/operation.h"
#include "service/passwords.h"

#include <spdlog/spdlog.h>

namespace coffer::service {

namespace {

}  // namespace

AdminService::AdminService(const config::Config& config, store::MetadataStore& store,
                           ActivityLog& activity, FileService& files)
    : config_(config),
      store_(store),
      activity_(activity),
      files_(files),
      defender_(config.security, config.mfa.fresh_seconds, store, activity) {}

Result<store::User> AdminService::FindUser(std::string_view name) {
  COFFER_ASSIGN_OR_RETURN(NormalName n, NormalizeAccountName(name));
  auto u = store_.GetUserByName(n.key);
  if (!u.ok() && u.status().code() == Code::kNotFound) return NotFound("no such user");
  return u;
}

Result<store::Group> AdminService::FindGroup(std::string_view name) {
  COFFER_ASSIGN_OR_RETURN(NormalName n, NormalizeAccountName(name));
  auto g = store_.GetGroupByName(n.key);
  if (!g.ok() && g.status().code() == Code::kNotFound) return NotFound("no such group");
  return g;
}

Result<UserInfo> AdminService::Info(const store::User& u) {
  UserInfo i{u.id,           u.name,         u.display_name, u.role == store::Role::kAdmin,
             u.disabled,     u.must_change_password, u.quota_bytes, u.used_bytes,
             u.created_at,   {}};
  COFFER_ASSIGN_OR_RETURN(auto group_ids, store_.ListGroupIdsOfUser(u.id));
  for (store::Id gid : group_ids) {
    auto g = store_.GetGroup(gid);
    if (g.ok()) i.groups.push_back(g->name);
  }
  return i;
}

Result<Principal> AdminService::MakePrincipal(const store::User& u, AuthMethod auth) {
  Principal p;
  p.user_id = u.id;
  p.name = u.name;
  p.role = u.role;
  p.auth = auth;
  p.must_change_password = u.must_change_password && auth == AuthMethod::kPassword;
  COFFER_ASSIGN_OR_RETURN(p.group_ids, store_.ListGroupIdsOfUser(u.id));
  return p;
}

Result<CreatedUser> AdminService::CreateUser(const Principal& p, const Context& c,
                                             const NewUser& user) {
  Operation op(activity_, p, c, "user.create", user.name);
  auto created = op.Finish(CreateUserIn(op, user));
  if (created.ok() && user.admin) RaiseAdminAlert(p, c, created->user.name, created->user.id);
  return created;
}

// A new administrator is what an intruder wants most: say so loudly.
void AdminService::RaiseAdminAlert(const Principal& p, const Context& c, const std::string& name,
                                   store::Id id) {
  Fact fact{"alert.admin.created", name, id, 0, "",
            "administrator " + name + " created by " + p.name + " (" + c.protocol + " " +
                c.address + ")"};
  spdlog::warn("alert: {}", fact.detail);
  activity_.Record(p, c, fact, Status::Ok());
}

Status AdminService::SetAdmin(const Principal& p, const Context& c, std::string_view name,
                              bool admin) {
  bool promoted = false;
  std::string user_name;
  store::Id user_id = 0;
  Status st = ChangeUser(p, c, admin ? "user.promote" : "user.demote", name,
                         [&](store::User& u, Operation& op) -> Status {
                           if (admin) {
                             COFFER_RETURN_IF_ERROR(RequireFreshSecondFactor(
                                 p, op.NowSeconds(), config_.mfa.fresh_seconds));
                           } else if (u.id == p.user_id) {
                             return InvalidArgument("you cannot demote yourself");
                           }
                           promoted = admin && u.role != store::Role::kAdmin;
                           user_name = u.name;
                           user_id = u.id;
                           u.role = admin ? store::Role::kAdmin : store::Role::kUser;
                           return store_.UpdateUser(u);
                         });
  if (st.ok() && promoted) RaiseAdminAlert(p, c, user_name, user_id);
  return st;
}

Result<CreatedUser> AdminService::CreateUserIn(Operation& op, const NewUser& user) {
  COFFER_RETURN_IF_ERROR(RequireAdmin(op.principal()));
  COFFER_ASSIGN_OR_RETURN(NormalName name, NormalizeAccountName(user.name));
  op.fact().detail = user.admin ? "role admin" : "role user";
  if (user.admin) {
    COFFER_RETURN_IF_ERROR(
        RequireFreshSecondFactor(op.principal(), op.NowSeconds(), config_.mfa.fresh_seconds));
  }
  if (user.quota_bytes < 0) return InvalidArgument("quota must not be negative");
  if (user.display_name.size() > 256) return LimitExceeded("display name is too long");
  // A generated password is 100 random bits; cracklib's heuristics sometimes
  // call such strings "systematic", so the policy judges chosen passwords only.
  std::string password = user.password.value_or(GeneratePassword());
  if (user.password) {
    COFFER_RETURN_IF_ERROR(
        CheckPasswordPolicy(password, name.name, config_.accounts.min_password_length));
  }
  store::User u;
  u.name = name.name;
  u.name_key = name.key;
  u.display_name = user.display_name.empty() ? name.name : user.display_name;
  u.role = user.admin ? store::Role::kAdmin : store::Role::kUser;
  COFFER_ASSIGN_OR_RETURN(u.password_hash, HashPassword(password, ParamsFrom(config_.accounts)));
  u.must_change_password = !user.password.has_value();
  u.quota_bytes = user.quota_bytes;
  u.created_at = op.NowSeconds();
  COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(u.id, store_.CreateUser(u));
    op.fact().object_id = u.id;
    return op.AppendInTx();
  }));
  COFFER_ASSIGN_OR_RETURN(UserInfo info, Info(u));
  return CreatedUser{std::move(info), user.password ? std::string() : password};
}

Result<std::vector<UserInfo>> AdminService::ListUsers(const Principal& p, const Context& c) {
  Operation op(activity_, p, c, "user.list", "");
  auto run = [&]() -> Result<std::vector<UserInfo>> {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    std::vector<UserInfo> out;
    std::string after;
    for (;;) {
      COFFER_ASSIGN_OR_RETURN(auto page, store_.ListUsers(after, 500));
      for (const auto& u : page) {
        COFFER_ASSIGN_OR_RETURN(UserInfo i, Info(u));
        out.push_back(std::move(i));
      }
      if (page.size() < 500) break;
      after = page.back().name_key;
    }
    return out;
  };
  return op.Finish(run());
}

Result<UserInfo> AdminService::GetUser(const Principal& p, const Context& c,
                                       std::string_view name) {
  Operation op(activity_, p, c, "user.show", std::string(name));
  auto run = [&]() -> Result<UserInfo> {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(name));
    op.fact().object_id = u.id;
    return Info(u);
  };
  return op.Finish(run());
}

Status AdminService::ChangeUser(const Principal& p, const Context& c, std::string action,
                                std::string_view name, const UserChange& change) {
  Operation op(activity_, p, c, std::move(action), std::string(name));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    return store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(name));
      op.fact().object_id = u.id;
      COFFER_RETURN_IF_ERROR(change(u, op));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Status AdminService::SetDisabled(const Principal& p, const Context& c, std::string_view name,
                                 bool disabled) {
  return ChangeUser(p, c, disabled ? "user.disable" : "user.enable", name,
                    [&](store::User& u, Operation&) -> Status {
                      if (u.id == p.user_id && disabled) {
                        return InvalidArgument("you cannot disable yourself");
                      }
                      u.disabled = disabled;
                      return store_.UpdateUser(u);
                    });
}

Status AdminService::DeleteUser(const Principal& p, const Context& c, std::string_view name) {
  return ChangeUser(p, c, "user.delete", name, [&](store::User& u, Operation&) -> Status {
    if (u.id == p.user_id) return InvalidArgument("you cannot delete yourself");
    return store_.DeleteUser(u.id);
  });
}

Status AdminService::SetUserQuota(const Principal& p, const Context& c, std::string_view name,
                                  int64_t bytes) {
  return ChangeUser(p, c, "user.quota", name, [&](store::User& u, Operation& op) -> Status {
    if (bytes < 0) return InvalidArgument("quota must not be negative");
    op.fact().bytes = bytes;
    u.quota_bytes = bytes;
    return store_.UpdateUser(u);
  });
}

Result<std::string> AdminService::SetPassword(const Principal& p, const Context& c,
                                              std::string_view name,
                                              std::optional<std::string> password,
                                              bool must_change) {
  std::string chosen = password.value_or(GeneratePassword());
  COFFER_RETURN_IF_ERROR(
      ChangeUser(p, c, "user.password", name, [&](store::User& u, Operation&) -> Status {
        if (password) {  // generated ones are random (see CreateUserIn)
          COFFER_RETURN_IF_ERROR(
              CheckPasswordPolicy(chosen, u.name, config_.accounts.min_password_length));
        }
        COFFER_ASSIGN_OR_RETURN(u.password_hash, HashPassword(chosen, ParamsFrom(config_.accounts)));
        u.must_change_password = must_change || !password.has_value();
        return store_.UpdateUser(u);
      }));
  return password ? std::string() : chosen;
}

Result<Principal> AdminService::Authenticate(const Context& c, std::string_view name,
                                             std::string_view password) {
  Principal anonymous;
  anonymous.name = std::string(name.substr(0, 64));
  Operation op(activity_, anonymous, c, "auth.password", "");
  const PasswordParams params = ParamsFrom(config_.accounts);
  auto run = [&]() -> Result<Principal> {
    const Status refused = Unauthenticated("invalid user name or password");
    if (Status st = defender_.CheckAddress(c.address); !st.ok()) {
      VerifyDummyPassword(password, params);
      op.fact().detail = st.message();
      return refused;
    }
    auto u = FindUser(name);
    if (!u.ok()) {
      VerifyDummyPassword(password, params);
      defender_.Record(c, Offence::kUnknownUser);
      return refused;
    }
    op.fact().object_id = u->id;
    if (Status st = defender_.CheckAccount(u->id, c.address); !st.ok()) {
      VerifyDummyPassword(password, params);  // the same work as a real check
      op.fact().detail = st.message();
    } else if (VerifyPassword(u->password_hash, password, params) && !u->disabled) {
      if (LockedDown(u->id)) {
        op.fact().detail = "remote sign-in is locked down";
        return refused;
      }
      defender_.AccountSucceeded(u->id, c.address);
      if (NeedsRehash(u->password_hash, params)) RehashPassword(*u, password, params, op);
      return MakePrincipal(*u, AuthMethod::kPassword);
    }
    defender_.AccountFailed(c, u->id, u->name);
    defender_.Record(c, Offence::kFailedSignIn);
    return refused;
  };
  return op.Finish(run());
}

// The password was just verified: store a hash with today's parameters. A
// failure only leaves the old hash in place.
void AdminService::RehashPassword(store::User& u, std::string_view password,
                                  const PasswordParams& params, Operation& op) {
  auto hash = HashPassword(password, params);
  if (!hash.ok()) return;
  Status st = store_.Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(store::User fresh, store_.GetUser(u.id));
    if (fresh.password_hash != u.password_hash) return Status::Ok();  // changed meanwhile
    fresh.password_hash = *hash;
    return store_.UpdateUser(fresh);
  });
  if (st.ok()) op.fact().detail = "password rehashed with new parameters";
}

Status AdminService::UnlockUser(const Principal& p, const Context& c, std::string_view name) {
  if (!p.is_admin()) {
    Operation op(activity_, p, c, "account.unlock", std::string(name.substr(0, 64)));
    return op.Finish(PermissionDenied("administrators only"));
  }
  auto u = FindUser(name);
  if (!u.ok()) {
    Operation op(activity_, p, c, "account.unlock", std::string(name.substr(0, 64)));
    return op.Finish(u.status());
  }
  return defender_.Unlock(p, c, u->id, u->name);
}

Result<Principal> AdminService::PrincipalFor(std::string_view name) {
  COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(name));
  if (u.disabled) return PermissionDenied("user is disabled");
  return MakePrincipal(u, AuthMethod::kSystem);
}

Result<GroupInfo> AdminService::CreateGroup(const Principal& p, const Context& c,
                                            std::string_view name) {
  Operation op(activity_, p, c, "group.create", std::string(name));
  auto run = [&]() -> Result<GroupInfo> {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_ASSIGN_OR_RETURN(NormalName n, NormalizeAccountName(name));
    store::Group g{0, n.name, n.key, op.NowSeconds()};
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(g.id, store_.CreateGroup(g));
      op.fact().object_id = g.id;
      return op.AppendInTx();
    }));
    return GroupInfo{g.id, g.name, {}};
  };
  return op.Finish(run());
}

Result<std::vector<GroupInfo>> AdminService::ListGroups(const Principal& p, const Context& c) {
  Operation op(activity_, p, c, "group.list", "");
  auto run = [&]() -> Result<std::vector<GroupInfo>> {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    COFFER_ASSIGN_OR_RETURN(auto groups, store_.ListGroups());
    std::vector<GroupInfo> out;
    for (const auto& g : groups) {
      GroupInfo gi{g.id, g.name, {}};
      COFFER_ASSIGN_OR_RETURN(auto ids, store_.ListMemberIds(g.id));
      for (store::Id uid : ids) {
        auto u = store_.GetUser(uid);
        if (u.ok()) gi.members.push_back(u->name);
      }
      out.push_back(std::move(gi));
    }
    return out;
  };
  return op.Finish(run());
}

Status AdminService::DeleteGroup(const Principal& p, const Context& c, std::string_view name) {
  Operation op(activity_, p, c, "group.delete", std::string(name));
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    return store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(store::Group g, FindGroup(name));
      op.fact().object_id = g.id;
      COFFER_RETURN_IF_ERROR(store_.DeleteGroup(g.id));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Status AdminService::AddMember(const Principal& p, const Context& c, std::string_view group,
                               std::string_view user) {
  return ChangeMembership(p, c, group, user, true);
}

Status AdminService::RemoveMember(const Principal& p, const Context& c, std::string_view group,
                                  std::string_view user) {
  return ChangeMembership(p, c, group, user, false);
}

Status AdminService::ChangeMembership(const Principal& p, const Context& c,
                                      std::string_view group, std::string_view user, bool add) {
  Operation op(activity_, p, c, add ? "group.member.add" : "group.member.remove",
               std::string(group));
  op.fact().detail = "user " + std::string(user);
  auto run = [&]() -> Status {
    COFFER_RETURN_IF_ERROR(RequireAdmin(p));
    return store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(store::Group g, FindGroup(group));
      COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(user));
      op.fact().object_id = g.id;
      Status st = add ? store_.AddMember(g.id, u.id) : store_.RemoveMember(g.id, u.id);
      if (st.code() == Code::kNotFound) return NotFound("user is not a member of the group");
      COFFER_RETURN_IF_ERROR(st);
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

}  // namespace coffer::service
