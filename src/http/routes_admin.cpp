// Administration routes: users, groups, folders, grants, bans and IP rules
// (docs/api.md, "Administration"). Each handler reads its input strictly
// (request_input.h), makes the service call the CLI makes for the same task, and
// shapes the answer. Authorization, name rules and the activity record are the
// service's; a refusal here is only malformed input.
#include <array>
#include <limits>
#include <utility>

#include "http/handlers.h"
#include "http/json_views.h"
#include "http/request_input.h"
#include "service/admin_service.h"
#include "service/perms.h"

namespace coffer::http {

namespace {

using nlohmann::json;
using service::AdminService;

// What every handler works with.
struct Call {
  AdminService& admin;
  const Request& request;
  const Caller& caller;
  const service::Principal& p() const { return caller.principal; }
  const service::Context& c() const { return caller.context; }
};

constexpr int64_t kMaxQuota = std::numeric_limits<int64_t>::max();
constexpr int64_t kMaxBanMinutes = int64_t{365} * 24 * 60;
constexpr size_t kMaxNameInput = 1024;  // the service allows 64 bytes; this only bounds work

// A service refusal. Invalid input gets the route's constant hint as detail
// (the service's own message may echo input, so it is only logged).
Reply Refused(const Status& st, const char* hint) {
  Reply r = ProblemFor(st);
  if (st.code() == Code::kInvalidArgument || st.code() == Code::kLimitExceeded) {
    r = Problem(r.status, hint);
  }
  return r;
}

// Exact lower-case names; an empty list is an explicit no-access entry.
Result<uint32_t> ParsePermNames(const std::vector<std::string>& names) {
  uint32_t perms = 0;
  for (const auto& n : names) {
    auto bit = PermBit(n);
    if (!bit) {
      return InvalidArgument("perms must be a list of: list, read, write, delete, share, manage");
    }
    perms |= *bit;
  }
  return perms;
}

json GroupJson(const service::GroupInfo& g) {
  return {{"id", g.id}, {"name", g.name}, {"members", g.members}};
}

// Lists are one page: every list here is bounded by the store.
Reply Items(json items) {
  return JsonReply(200, {{"items", std::move(items)}, {"next_cursor", ""}});
}

template <typename T, typename F>
json ItemsOf(const std::vector<T>& list, F to_json) {
  json out = json::array();
  for (const auto& x : list) out.push_back(to_json(x));
  return out;
}

// The query of a route that takes only `allowed`.
Result<Query> QueryOf(const Call& call, std::initializer_list<std::string_view> allowed) {
  COFFER_ASSIGN_OR_RETURN(Query q, Query::Parse(call.request.target));
  COFFER_RETURN_IF_ERROR(q.Only(allowed));
  return q;
}

Result<std::string> NameParam(const Call& call) {
  COFFER_ASSIGN_OR_RETURN(Query q, QueryOf(call, {"name"}));
  return q.Require("name", "the query needs name=");
}

// ---- Users ----------------------------------------------------------------

Reply UsersList(const Call& call) {
  auto q = QueryOf(call, {});
  if (!q.ok()) return InputProblem(q.status());
  auto users = call.admin.ListUsers(call.p(), call.c());
  if (!users.ok()) return ProblemFor(users.status());
  return Items(ItemsOf(*users, UserJson));
}

Result<service::NewUser> NewUserInput(const Call& call) {
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.request));
  COFFER_RETURN_IF_ERROR(body.Only({"name", "display_name", "admin", "quota_bytes", "password"}));
  service::NewUser u;
  COFFER_ASSIGN_OR_RETURN(auto name, body.String("name", "name must be a string", kMaxNameInput));
  if (!name || name->empty()) return InvalidArgument("the body needs a name");
  u.name = *name;
  COFFER_ASSIGN_OR_RETURN(auto display,
                          body.String("display_name", "display_name must be a string", 1024));
  u.display_name = display.value_or("");
  COFFER_ASSIGN_OR_RETURN(auto admin, body.Bool("admin", "admin must be true or false"));
  u.admin = admin.value_or(false);
  COFFER_ASSIGN_OR_RETURN(auto quota, body.Integer("quota_bytes", 0, kMaxQuota,
                                                   "quota_bytes must be an integer of 0 or more"));
  u.quota_bytes = quota.value_or(0);
  COFFER_ASSIGN_OR_RETURN(u.password, body.String("password", "password must be a string", 1024));
  return u;
}

Reply UserCreate(const Call& call) {
  auto in = NewUserInput(call);
  if (!in.ok()) return InputProblem(in.status());
  auto created = call.admin.CreateUser(call.p(), call.c(), *in);
  if (!created.ok()) {
    return Refused(created.status(),
                   "refused: check the name, display name and password rules (docs/access.md)");
  }
  return JsonReply(201, {{"user", UserJson(created->user)},
                         {"generated_password", created->generated_password}});
}

Reply UserGet(const Call& call) {
  auto name = NameParam(call);
  if (!name.ok()) return InputProblem(name.status());
  auto user = call.admin.GetUser(call.p(), call.c(), *name);
  if (!user.ok()) return Refused(user.status(), "not a valid user name");
  return JsonReply(200, UserJson(*user));
}

struct UserPatch {
  std::string name;
  std::optional<bool> disabled;
  std::optional<int64_t> quota_bytes;
};

Result<UserPatch> UserPatchInput(const Call& call) {
  UserPatch in;
  COFFER_ASSIGN_OR_RETURN(in.name, NameParam(call));
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.request));
  COFFER_RETURN_IF_ERROR(body.Only({"disabled", "quota_bytes"}));
  COFFER_ASSIGN_OR_RETURN(in.disabled, body.Bool("disabled", "disabled must be true or false"));
  COFFER_ASSIGN_OR_RETURN(
      in.quota_bytes,
      body.Integer("quota_bytes", 0, kMaxQuota, "quota_bytes must be an integer of 0 or more"));
  if (!in.disabled && !in.quota_bytes) {
    return InvalidArgument("the body needs disabled or quota_bytes");
  }
  return in;
}

// The input is checked whole before the first change, so bad input changes
// nothing. The disabled state goes first: it is the change the service may still
// refuse (administrators cannot disable themselves); the quota, already checked,
// can then only fail if the user vanished meanwhile.
Reply UserPatchRoute(const Call& call) {
  auto in = UserPatchInput(call);
  if (!in.ok()) return InputProblem(in.status());
  constexpr const char* kHint = "refused: not a valid user name, or you cannot disable yourself";
  if (in->disabled) {
    Status st = call.admin.SetDisabled(call.p(), call.c(), in->name, *in->disabled);
    if (!st.ok()) return Refused(st, kHint);
  }
  if (in->quota_bytes) {
    Status st = call.admin.SetUserQuota(call.p(), call.c(), in->name, *in->quota_bytes);
    if (!st.ok()) return Refused(st, kHint);
  }
  auto user = call.admin.GetUser(call.p(), call.c(), in->name);
  if (!user.ok()) return ProblemFor(user.status());
  return JsonReply(200, UserJson(*user));
}

Reply UserDelete(const Call& call) {
  auto name = NameParam(call);
  if (!name.ok()) return InputProblem(name.status());
  Status st = call.admin.DeleteUser(call.p(), call.c(), *name);
  if (!st.ok()) return Refused(st, "refused: not a valid user name, or you cannot delete yourself");
  return NoContent();
}

struct PasswordInput {
  std::string name;
  std::optional<std::string> password;
  bool must_change = true;
};

Result<PasswordInput> PasswordInputOf(const Call& call) {
  PasswordInput in;
  COFFER_ASSIGN_OR_RETURN(in.name, NameParam(call));
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.request, true));
  COFFER_RETURN_IF_ERROR(body.Only({"password", "must_change"}));
  COFFER_ASSIGN_OR_RETURN(in.password, body.String("password", "password must be a string", 1024));
  COFFER_ASSIGN_OR_RETURN(auto must, body.Bool("must_change", "must_change must be true or false"));
  in.must_change = must.value_or(true);
  if (!in.password && !in.must_change) {
    return InvalidArgument("a generated password must be changed at first sign-in");
  }
  return in;
}

Reply UserPassword(const Call& call) {
  auto in = PasswordInputOf(call);
  if (!in.ok()) return InputProblem(in.status());
  auto generated =
      call.admin.SetPassword(call.p(), call.c(), in->name, in->password, in->must_change);
  if (!generated.ok()) {
    return Refused(generated.status(), "refused: check the user name and the password rules");
  }
  return JsonReply(200,
                   {{"generated_password", *generated}, {"must_change_password", in->must_change}});
}

Reply UserUnlock(const Call& call) {
  auto name = NameParam(call);
  if (!name.ok()) return InputProblem(name.status());
  Status st = call.admin.UnlockUser(call.p(), call.c(), *name);
  if (!st.ok()) return Refused(st, "not a valid user name");
  return NoContent();
}

// ---- Groups ---------------------------------------------------------------

Reply GroupsList(const Call& call) {
  auto q = QueryOf(call, {});
  if (!q.ok()) return InputProblem(q.status());
  auto groups = call.admin.ListGroups(call.p(), call.c());
  if (!groups.ok()) return ProblemFor(groups.status());
  return Items(ItemsOf(*groups, GroupJson));
}

Result<std::string> GroupNameInput(const Call& call) {
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.request));
  COFFER_RETURN_IF_ERROR(body.Only({"name"}));
  COFFER_ASSIGN_OR_RETURN(auto name, body.String("name", "name must be a string", kMaxNameInput));
  if (!name || name->empty()) return InvalidArgument("the body needs a name");
  return *name;
}

Reply GroupCreate(const Call& call) {
  auto name = GroupNameInput(call);
  if (!name.ok()) return InputProblem(name.status());
  auto group = call.admin.CreateGroup(call.p(), call.c(), *name);
  if (!group.ok()) return Refused(group.status(), "not a valid group name");
  return JsonReply(201, GroupJson(*group));
}

Reply GroupDelete(const Call& call) {
  auto name = NameParam(call);
  if (!name.ok()) return InputProblem(name.status());
  Status st = call.admin.DeleteGroup(call.p(), call.c(), *name);
  if (!st.ok()) return Refused(st, "not a valid group name");
  return NoContent();
}

Reply GroupMember(const Call& call, bool add) {
  auto q = QueryOf(call, {"group", "user"});
  if (!q.ok()) return InputProblem(q.status());
  auto group = q->Require("group", "the query needs group=");
  auto user = q->Require("user", "the query needs user=");
  if (!group.ok()) return InputProblem(group.status());
  if (!user.ok()) return InputProblem(user.status());
  Status st = add ? call.admin.AddMember(call.p(), call.c(), *group, *user)
                  : call.admin.RemoveMember(call.p(), call.c(), *group, *user);
  if (!st.ok()) return Refused(st, "not a valid group or user name");
  return NoContent();
}

// ---- Folders and grants -----------------------------------------------------

struct FolderInput {
  std::string path;
  int64_t quota_bytes = 0;
};

Result<FolderInput> FolderInputOf(const Call& call) {
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.request));
  COFFER_RETURN_IF_ERROR(body.Only({"path", "quota_bytes"}));
  FolderInput in;
  COFFER_ASSIGN_OR_RETURN(auto path, body.String("path", "path must be a string"));
  if (!path || path->empty()) return InvalidArgument("the body needs a path");
  in.path = *path;
  COFFER_ASSIGN_OR_RETURN(auto quota, body.Integer("quota_bytes", 0, kMaxQuota,
                                                   "quota_bytes must be an integer of 0 or more"));
  in.quota_bytes = quota.value_or(0);
  return in;
}

Reply FolderCreate(const Call& call) {
  auto in = FolderInputOf(call);
  if (!in.ok()) return InputProblem(in.status());
  auto made = call.admin.CreateFolder(call.p(), call.c(), in->path, in->quota_bytes);
  if (!made.ok()) return Refused(made.status(), "refused: not a valid folder path, or it exists");
  return JsonReply(201, EntryJson(*made));
}

Result<FolderInput> FolderPatchInput(const Call& call) {
  COFFER_ASSIGN_OR_RETURN(Query q, QueryOf(call, {"path"}));
  FolderInput in;
  COFFER_ASSIGN_OR_RETURN(in.path, q.Require("path", "the query needs path="));
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.request));
  COFFER_RETURN_IF_ERROR(body.Only({"quota_bytes"}));
  COFFER_ASSIGN_OR_RETURN(auto quota, body.Integer("quota_bytes", 0, kMaxQuota,
                                                   "quota_bytes must be an integer of 0 or more"));
  if (!quota) return InvalidArgument("the body needs quota_bytes");
  in.quota_bytes = *quota;
  return in;
}

Reply FolderPatch(const Call& call) {
  auto in = FolderPatchInput(call);
  if (!in.ok()) return InputProblem(in.status());
  Status st = call.admin.SetFolderQuota(call.p(), call.c(), in->path, in->quota_bytes);
  if (!st.ok()) return Refused(st, "refused: quotas are set on folders below the root");
  return NoContent();
}

Reply GrantsList(const Call& call) {
  auto q = QueryOf(call, {"path"});
  if (!q.ok()) return InputProblem(q.status());
  auto path = q->Require("path", "the query needs path=");
  if (!path.ok()) return InputProblem(path.status());
  auto grants = call.admin.ListGrants(call.p(), call.c(), *path);
  if (!grants.ok()) return Refused(grants.status(), "refused: grants are listed on folders");
  return Items(ItemsOf(*grants, [](const service::GrantInfo& g) -> json {
    return {{"path", g.folder}, {"subject", g.subject}, {"perms", PermsJson(g.perms)}};
  }));
}

struct GrantInput {
  std::string path, subject;
  uint32_t perms = 0;
};

Result<GrantInput> GrantInputOf(const Call& call) {
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.request));
  COFFER_RETURN_IF_ERROR(body.Only({"path", "subject", "perms"}));
  GrantInput in;
  COFFER_ASSIGN_OR_RETURN(auto path, body.String("path", "path must be a string"));
  COFFER_ASSIGN_OR_RETURN(auto subject,
                          body.String("subject", "subject must be a string", kMaxNameInput));
  constexpr const char* kBadPerms =
      "perms must be a list of: list, read, write, delete, share, manage";
  COFFER_ASSIGN_OR_RETURN(auto perms, body.Strings("perms", 16, kBadPerms));
  if (!path || path->empty()) return InvalidArgument("the body needs a path");
  if (!subject || subject->empty()) return InvalidArgument("the body needs a subject");
  if (!perms) return InvalidArgument("the body needs perms (an empty list: no access)");
  in.path = *path;
  in.subject = *subject;
  COFFER_ASSIGN_OR_RETURN(in.perms, ParsePermNames(*perms));
  return in;
}

Reply GrantPut(const Call& call) {
  auto in = GrantInputOf(call);
  if (!in.ok()) return InputProblem(in.status());
  Status st = call.admin.Grant(call.p(), call.c(), in->path, in->subject, in->perms);
  if (!st.ok()) return Refused(st, "refused: grants are set on folders, to a user or @group");
  return NoContent();
}

Reply GrantDelete(const Call& call) {
  auto q = QueryOf(call, {"path", "subject"});
  if (!q.ok()) return InputProblem(q.status());
  auto path = q->Require("path", "the query needs path=");
  auto subject = q->Require("subject", "the query needs subject=");
  if (!path.ok()) return InputProblem(path.status());
  if (!subject.ok()) return InputProblem(subject.status());
  Status st = call.admin.Revoke(call.p(), call.c(), *path, *subject);
  if (!st.ok()) return Refused(st, "refused: grants are set on folders, to a user or @group");
  return NoContent();
}

// ---- Bans and IP rules --------------------------------------------------------

Reply BansList(const Call& call) {
  auto q = QueryOf(call, {});
  if (!q.ok()) return InputProblem(q.status());
  auto bans = call.admin.defender().ListBans(call.p(), call.c());
  if (!bans.ok()) return ProblemFor(bans.status());
  return Items(ItemsOf(*bans, [](const service::BanInfo& b) -> json {
    return {{"address", b.address}, {"banned_until", b.banned_until}, {"bans", b.bans}};
  }));
}

struct BanInput {
  std::string address;
  int64_t minutes = 0;
};

Result<BanInput> BanInputOf(const Call& call) {
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.request));
  COFFER_RETURN_IF_ERROR(body.Only({"address", "minutes"}));
  COFFER_ASSIGN_OR_RETURN(auto address, body.String("address", "address must be a string", 128));
  COFFER_ASSIGN_OR_RETURN(
      auto minutes,
      body.Integer("minutes", 1, kMaxBanMinutes, "minutes must be an integer from 1 to 525600"));
  if (!address || address->empty()) return InvalidArgument("the body needs an address");
  if (!minutes) return InvalidArgument("the body needs minutes");
  return BanInput{*address, *minutes};
}

Reply BanAdd(const Call& call) {
  auto in = BanInputOf(call);
  if (!in.ok()) return InputProblem(in.status());
  Status st = call.admin.defender().Ban(call.p(), call.c(), in->address, in->minutes * 60);
  if (!st.ok())
    return Refused(st, "address must be one IP address (use a deny rule for a network)");
  return NoContent();
}

Reply BanRemove(const Call& call) {
  auto q = QueryOf(call, {"address"});
  if (!q.ok()) return InputProblem(q.status());
  auto address = q->Require("address", "the query needs address=");
  if (!address.ok()) return InputProblem(address.status());
  Status st = call.admin.defender().Unban(call.p(), call.c(), *address);
  if (!st.ok()) return Refused(st, "address must be an IP address");
  return NoContent();
}

Reply IpRulesList(const Call& call) {
  auto q = QueryOf(call, {});
  if (!q.ok()) return InputProblem(q.status());
  auto rules = call.admin.defender().ListRules(call.p(), call.c());
  if (!rules.ok()) return ProblemFor(rules.status());
  return Items(ItemsOf(*rules, [](const service::IpRuleInfo& r) -> json {
    return {{"cidr", r.network},
            {"action", r.allow ? "allow" : "deny"},
            {"comment", r.comment},
            {"created_at", r.created_at}};
  }));
}

struct RuleInput {
  std::string cidr, comment;
  bool allow = false;
};

Result<RuleInput> RuleInputOf(const Call& call) {
  COFFER_ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.request));
  COFFER_RETURN_IF_ERROR(body.Only({"cidr", "action", "comment"}));
  COFFER_ASSIGN_OR_RETURN(auto cidr, body.String("cidr", "cidr must be a string", 128));
  COFFER_ASSIGN_OR_RETURN(auto action, body.String("action", "action must be allow or deny", 16));
  COFFER_ASSIGN_OR_RETURN(auto comment,
                          body.String("comment", "comment must be at most 256 bytes", 256));
  if (!cidr || cidr->empty()) return InvalidArgument("the body needs a cidr");
  if (!action || (*action != "allow" && *action != "deny")) {
    return InvalidArgument("action must be allow or deny");
  }
  return RuleInput{*cidr, comment.value_or(""), *action == "allow"};
}

Reply IpRuleAdd(const Call& call) {
  auto in = RuleInputOf(call);
  if (!in.ok()) return InputProblem(in.status());
  Status st = call.admin.defender().AddRule(call.p(), call.c(), in->cidr, in->allow, in->comment);
  if (!st.ok()) return Refused(st, "cidr must be an IP address or network, e.g. 192.0.2.0/24");
  return NoContent();
}

Reply IpRuleRemove(const Call& call) {
  auto q = QueryOf(call, {"cidr"});
  if (!q.ok()) return InputProblem(q.status());
  auto cidr = q->Require("cidr", "the query needs cidr=");
  if (!cidr.ok()) return InputProblem(cidr.status());
  Status st = call.admin.defender().RemoveRule(call.p(), call.c(), *cidr);
  if (!st.ok()) return Refused(st, "cidr must be an IP address or network, e.g. 192.0.2.0/24");
  return NoContent();
}

}  // namespace

Reply HandleAdmin(RouteId id, AdminService& admin, const Request& request, const Caller& caller) {
  const Call call{admin, request, caller};
  switch (id) {
    case RouteId::kAdminUsersList:
      return UsersList(call);
    case RouteId::kAdminUserCreate:
      return UserCreate(call);
    case RouteId::kAdminUserGet:
      return UserGet(call);
    case RouteId::kAdminUserPatch:
      return UserPatchRoute(call);
    case RouteId::kAdminUserDelete:
      return UserDelete(call);
    case RouteId::kAdminUserPassword:
      return UserPassword(call);
    case RouteId::kAdminUserUnlock:
      return UserUnlock(call);
    case RouteId::kAdminGroupsList:
      return GroupsList(call);
    case RouteId::kAdminGroupCreate:
      return GroupCreate(call);
    case RouteId::kAdminGroupDelete:
      return GroupDelete(call);
    case RouteId::kAdminGroupMemberAdd:
      return GroupMember(call, true);
    case RouteId::kAdminGroupMemberRemove:
      return GroupMember(call, false);
    case RouteId::kAdminFolderCreate:
      return FolderCreate(call);
    case RouteId::kAdminFolderPatch:
      return FolderPatch(call);
    case RouteId::kAdminGrantsList:
      return GrantsList(call);
    case RouteId::kAdminGrantPut:
      return GrantPut(call);
    case RouteId::kAdminGrantDelete:
      return GrantDelete(call);
    case RouteId::kAdminBansList:
      return BansList(call);
    case RouteId::kAdminBanAdd:
      return BanAdd(call);
    case RouteId::kAdminBanRemove:
      return BanRemove(call);
    case RouteId::kAdminIpRulesList:
      return IpRulesList(call);
    case RouteId::kAdminIpRuleAdd:
      return IpRuleAdd(call);
    case RouteId::kAdminIpRuleRemove:
      return IpRuleRemove(call);
    default:
      return Problem(500);
  }
}

}  // namespace coffer::http
