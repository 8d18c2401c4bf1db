#include "service/resolver.h"

#include <algorithm>

namespace coffer::service {

Status Hidden() { return PermissionDenied(std::string(kHiddenMessage)); }
bool IsHidden(const Status& st) {
  return st.code() == Code::kPermissionDenied && st.message() == kHiddenMessage;
}

std::string ChildPath(std::string_view parent_path, std::string_view name) {
  std::string p(parent_path);
  if (p.empty() || p.back() != '/') p += '/';
  return p + std::string(name);
}

namespace {

// Folder ids from the root down to `folder_id`, bounded by `max_depth`.
Result<std::vector<store::Id>> ChainIds(store::MetadataStore& store, store::Id folder_id,
                                        size_t max_depth) {
  std::vector<store::Id> ids;
  store::Id id = folder_id;
  while (id != 0) {
    if (ids.size() > max_depth + 1) return InternalError("folder tree deeper than allowed");
    ids.push_back(id);
    if (id == store::kRootFolderId) break;
    COFFER_ASSIGN_OR_RETURN(store::Entry e, store.GetEntry(id));
    id = e.parent_id;
  }
  std::reverse(ids.begin(), ids.end());
  return ids;
}

}  // namespace

Result<Access> Access::Load(store::MetadataStore& store, const Principal& principal) {
  std::vector<AccessView::Grant> grants;
  if (!principal.is_admin()) {
    COFFER_ASSIGN_OR_RETURN(auto entries,
                            store.ListAclForSubjects(principal.user_id, principal.group_ids));
    for (auto& e : entries) {
      auto chain = ChainIds(store, e.folder_id, 1024);
      if (!chain.ok()) continue;  // a grant on a purged folder grants nothing
      grants.push_back({e, std::move(*chain)});
    }
  }
  return Access(AccessView(principal, std::move(grants)));
}

uint32_t Access::Perms(std::span<const store::Id> folder_ids) const {
  return view_.Effective(folder_ids);
}

bool Access::FolderVisible(std::span<const store::Id> folder_ids) const {
  return folder_ids.size() == 1 || Perms(folder_ids) != 0 || view_.Traversable(folder_ids);
}

bool Access::FilesVisible(std::span<const store::Id> folder_ids) const {
  return (Perms(folder_ids) & (kList | kRead)) != 0;
}

Status Access::Require(std::span<const store::Id> folder_ids, Action action) const {
  if (Allows(Perms(folder_ids), action)) return Status::Ok();
  return PermissionDenied("permission denied: needs " + PermsToString(RequiredPerms(action)));
}

std::span<const store::Id> Resolved::FolderIds() const {
  std::span<const store::Id> all(ids);
  return target().kind == store::EntryKind::kFolder ? all : all.first(all.size() - 1);
}

std::span<const store::Id> Resolved::ParentIds() const {
  std::span<const store::Id> all(ids);
  return all.first(all.size() - 1);
}

Result<Resolved> Resolver::Walk(const Access& access, std::span<const NormalName> parts) const {
  Resolved r;
  COFFER_ASSIGN_OR_RETURN(store::Entry root, store_.GetEntry(store::kRootFolderId));
  r.chain.push_back(std::move(root));
  r.ids.push_back(store::kRootFolderId);
  r.path = "/";
  for (const auto& part : parts) {
    const store::Entry& here = r.chain.back();
    if (here.kind != store::EntryKind::kFolder) return NotFound("no such file or folder");
    auto child = store_.FindChild(here.id, part.key);
    if (!child.ok()) {
      if (child.status().code() != Code::kNotFound) return child.status();
      // An absent name under a hidden folder must look the same as a hidden one.
      return access.FilesVisible(r.ids) || access.Perms(r.ids) != 0
                 ? NotFound("no such file or folder")
                 : Hidden();
    }
    r.ids.push_back(child->id);
    bool visible = child->kind == store::EntryKind::kFolder
                       ? access.FolderVisible(r.ids)
                       : access.FilesVisible(std::span<const store::Id>(r.ids).first(r.ids.size() - 1));
    if (!visible) return Hidden();
    r.path = ChildPath(r.path, child->name);
    r.chain.push_back(std::move(*child));
  }
  return r;
}

Result<Resolved> Resolver::Resolve(const Access& access, std::string_view path) const {
  COFFER_ASSIGN_OR_RETURN(auto parts, SplitPath(path, limits_));
  return Walk(access, parts);
}

Result<ParentAndName> Resolver::ResolveParent(const Access& access, std::string_view path) const {
  COFFER_ASSIGN_OR_RETURN(auto parts, SplitPath(path, limits_));
  if (parts.empty()) return InvalidArgument("the root folder cannot be changed");
  NormalName leaf = parts.back();
  parts.pop_back();
  COFFER_ASSIGN_OR_RETURN(Resolved parent, Walk(access, parts));
  if (parent.target().kind != store::EntryKind::kFolder) {
    return InvalidArgument("parent is not a folder");
  }
  std::string full = ChildPath(parent.path, leaf.name);
  return ParentAndName{std::move(parent), std::move(leaf), std::move(full)};
}

Result<Resolved> Resolver::ResolveId(const Access& access, store::Id id) const {
  Resolved r;
  store::Id cur = id;
  while (cur != 0) {
    if (r.chain.size() > limits_.max_depth + 1) return InternalError("folder tree too deep");
    auto e = store_.GetEntry(cur);
    if (!e.ok()) return e.status().code() == Code::kNotFound ? Hidden() : e.status();
    cur = e->id == store::kRootFolderId ? 0 : e->parent_id;
    r.chain.push_back(std::move(*e));
  }
  std::reverse(r.chain.begin(), r.chain.end());
  if (r.chain.front().id != store::kRootFolderId) return InternalError("entry outside the tree");
  r.path = "/";
  for (size_t i = 0; i < r.chain.size(); ++i) {
    r.ids.push_back(r.chain[i].id);
    if (i == 0) continue;
    std::span<const store::Id> ids(r.ids);
    bool visible = r.chain[i].kind == store::EntryKind::kFolder
                       ? access.FolderVisible(ids)
                       : access.FilesVisible(ids.first(ids.size() - 1));
    if (!visible) return Hidden();
    r.path = ChildPath(r.path, r.chain[i].name);
  }
  return r;
}

}  // namespace coffer::service
