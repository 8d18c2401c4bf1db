// AdminService: folders, folder quotas and grants.
#include "service/admin_service.h"
#include "service/names.h"
#include "service/operation.h"

namespace coffer::service {

Result<AdminService::Subject> AdminService::FindSubject(std::string_view subject) {
  if (!subject.empty() && subject.front() == '@') {
    COFFER_ASSIGN_OR_RETURN(store::Group g, FindGroup(subject.substr(1)));
    return Subject{store::SubjectKind::kGroup, g.id};
  }
  COFFER_ASSIGN_OR_RETURN(store::User u, FindUser(subject));
  return Subject{store::SubjectKind::kUser, u.id};
}

Result<std::string> AdminService::SubjectName(store::SubjectKind kind, store::Id id) {
  if (kind == store::SubjectKind::kGroup) {
    COFFER_ASSIGN_OR_RETURN(store::Group g, store_.GetGroup(id));
    return "@" + g.name;
  }
  COFFER_ASSIGN_OR_RETURN(store::User u, store_.GetUser(id));
  return u.name;
}

Result<EntryInfo> AdminService::CreateFolder(const Principal& p, const Context& c,
                                             std::string_view path, int64_t quota_bytes) {
  if (!p.is_admin()) {
    Operation op(activity_, p, c, "folder.create", std::string(path));
    return op.Finish(Result<EntryInfo>(PermissionDenied("administrators only")));
  }
  // Like `mkdir -p`: each missing level is made (and recorded) by the file service.
  COFFER_ASSIGN_OR_RETURN(auto parts, SplitPath(path, files_.resolver().limits()));
  if (parts.empty()) return InvalidArgument("the root folder exists already");
  store::Id parent = store::kRootFolderId;
  std::string prefix;
  Result<EntryInfo> made = InvalidArgument("the folder exists already");
  for (const auto& part : parts) {
    prefix = ChildPath(prefix.empty() ? "/" : prefix, part.name);
    auto existing = store_.FindChild(parent, part.key);
    if (existing.ok()) {
      if (existing->kind != store::EntryKind::kFolder) return AlreadyExists(prefix + " is a file");
      parent = existing->id;
      continue;
    }
    made = files_.Mkdir(p, c, prefix);
    if (!made.ok()) return made.status();
    parent = made->id;
  }
  if (!made.ok()) return AlreadyExists("the folder exists already");
  if (quota_bytes > 0) {
    COFFER_RETURN_IF_ERROR(SetFolderQuota(p, c, made->path, quota_bytes));
    made->quota_bytes = quota_bytes;
  }
  return made;
}

Status AdminService::SetFolderQuota(const Principal& p, const Context& c, std::string_view path,
                                    int64_t bytes) {
  Operation op(activity_, p, c, "folder.quota", std::string(path));
  op.fact().bytes = bytes;
  auto run = [&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(Resolved r, files_.resolver().Resolve(a, path));
    op.fact().path = r.path;
    op.fact().object_id = r.target().id;
    if (!p.is_admin()) return PermissionDenied("administrators only");
    if (r.target().kind != store::EntryKind::kFolder || r.is_root()) {
      return InvalidArgument("quotas are set on folders below the root");
    }
    if (bytes < 0) return InvalidArgument("quota must not be negative");
    return store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(store_.SetFolderQuota(r.target().id, bytes));
      return op.AppendInTx();
    });
  };
  return op.Finish(run());
}

Status AdminService::GrantIn(Operation& op, const Access& a, std::string_view path,
                             std::string_view subject, std::optional<uint32_t> perms) {
  COFFER_ASSIGN_OR_RETURN(Resolved r, files_.resolver().Resolve(a, path));
  op.fact().path = r.path;
  op.fact().object_id = r.target().id;
  if (r.target().kind != store::EntryKind::kFolder) return InvalidArgument("grants are set on folders");
  COFFER_RETURN_IF_ERROR(a.Require(r.ids, Action::kManageAcl));
  if (perms && (*perms & kManage)) {
    if (!a.principal().is_admin()) return PermissionDenied("only administrators grant manage");
    COFFER_RETURN_IF_ERROR(
        RequireFreshSecondFactor(a.principal(), op.NowSeconds(), config_.mfa.fresh_seconds));
  }
  COFFER_ASSIGN_OR_RETURN(Subject s, FindSubject(subject));
  return store_.Transact([&]() -> Status {
    if (perms) {
      store::AclEntry e;
      e.folder_id = r.target().id;
      e.subject_kind = s.kind;
      e.subject_id = s.id;
      e.perms = *perms;
      COFFER_RETURN_IF_ERROR(store_.PutAcl(e));
    } else {
      Status st = store_.DeleteAcl(r.target().id, s.kind, s.id);
      if (st.code() == Code::kNotFound) return NotFound("no such grant on this folder");
      COFFER_RETURN_IF_ERROR(st);
    }
    return op.AppendInTx();
  });
}

Status AdminService::Grant(const Principal& p, const Context& c, std::string_view path,
                           std::string_view subject, uint32_t perms) {
  Operation op(activity_, p, c, "acl.grant", std::string(path));
  op.fact().detail = std::string(subject) + " " + PermsToString(perms);
  auto run = [&]() -> Status {
    if (perms & ~kAllPerms) return InvalidArgument("unknown permission bits");
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    return GrantIn(op, a, path, subject, perms);
  };
  return op.Finish(run());
}

Status AdminService::Revoke(const Principal& p, const Context& c, std::string_view path,
                            std::string_view subject) {
  Operation op(activity_, p, c, "acl.revoke", std::string(path));
  op.fact().detail = std::string(subject);
  auto run = [&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    return GrantIn(op, a, path, subject, std::nullopt);
  };
  return op.Finish(run());
}

Result<std::vector<GrantInfo>> AdminService::ListGrants(const Principal& p, const Context& c,
                                                        std::string_view path) {
  Operation op(activity_, p, c, "acl.list", std::string(path));
  auto run = [&]() -> Result<std::vector<GrantInfo>> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(Resolved r, files_.resolver().Resolve(a, path));
    op.fact().path = r.path;
    if (r.target().kind != store::EntryKind::kFolder) return InvalidArgument("not a folder");
    COFFER_RETURN_IF_ERROR(a.Require(r.ids, Action::kManageAcl));
    COFFER_ASSIGN_OR_RETURN(auto entries, store_.ListAclForFolder(r.target().id));
    std::vector<GrantInfo> out;
    for (const auto& e : entries) {
      auto name = SubjectName(e.subject_kind, e.subject_id);
      if (name.ok()) out.push_back({r.path, *name, e.perms});
    }
    return out;
  };
  return op.Finish(run());
}

}  // namespace coffer::service
