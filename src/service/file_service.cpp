#include "service/file_service.h"

#include <algorithm>

#include "service/cursor.h"
#include "service/operation.h"
#include "service/usage.h"

namespace coffer::service {

namespace {

NameLimits LimitsOf(const config::Config& c) {
  return {c.limits.max_name_bytes, c.limits.max_path_bytes, c.limits.max_depth};
}

// Only administrators change the root: top-level folders are the unit that
// access is granted on, so users cannot create, move or delete them.
Status RequireAdminAtRoot(const Access& a, std::span<const store::Id> parent_ids) {
  if (parent_ids.size() == 1 && !a.principal().is_admin()) {
    return PermissionDenied("only administrators change top-level folders");
  }
  return Status::Ok();
}

bool Contains(std::span<const store::Id> ids, store::Id id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

FileService::FileService(const config::Config& config, store::MetadataStore& store,
                         blob::BlobStore& blobs, ActivityLog& activity)
    : config_(config),
      store_(store),
      blobs_(blobs),
      activity_(activity),
      resolver_(store, LimitsOf(config)) {}

EntryInfo FileService::Info(const store::Entry& e, std::string path, uint32_t perms) const {
  EntryInfo i;
  i.id = e.id;
  i.path = std::move(path);
  i.name = e.name;
  i.is_folder = e.kind == store::EntryKind::kFolder;
  i.size = i.is_folder ? e.used_bytes : e.size;
  i.sha256_hex = e.sha256_hex;
  i.created_at = e.created_at;
  i.modified_at = e.modified_at;
  i.quota_bytes = e.quota_bytes;
  i.deleted_at = e.deleted_at;
  i.perms = perms;
  return i;
}

store::Entry FileService::NewFolder(store::Id parent_id, const NormalName& name, store::Id owner,
                                    int64_t now) {
  store::Entry e;
  e.parent_id = parent_id;
  e.kind = store::EntryKind::kFolder;
  e.name = name.name;
  e.name_key = name.key;
  e.owner_id = owner;
  e.created_at = e.modified_at = now;
  return e;
}

Result<int64_t> FileService::StoredBytes(const store::Entry& e) {
  if (e.kind == store::EntryKind::kFolder) return e.used_bytes;
  COFFER_ASSIGN_OR_RETURN(auto versions, store_.ListVersions(e.id));
  int64_t total = 0;
  for (const auto& v : versions) total += v.size;
  return total;
}

Result<ListPage> FileService::List(const Principal& p, const Context& c, std::string_view path,
                                   std::string_view cursor, size_t limit, ListSort sort) {
  Operation op(activity_, p, c, "folder.list", std::string(path));
  auto run = [&]() -> Result<ListPage> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(Resolved folder, resolver_.Resolve(a, path));
    op.fact().path = folder.path;
    op.fact().object_id = folder.target().id;
    if (folder.target().kind != store::EntryKind::kFolder) {
      return InvalidArgument("not a folder");
    }
    return ListIn(op, a, folder, cursor, limit, sort);
  };
  return op.Finish(run());
}

Result<ListPage> FileService::ListIn(Operation& op, const Access& a, const Resolved& folder,
                                     std::string_view cursor_text, size_t limit, ListSort sort) {
  (void)op;
  COFFER_ASSIGN_OR_RETURN(store::ListCursor cursor,
                          DecodeCursor(cursor_text, sort.order, sort.descending));
  limit = std::clamp<size_t>(limit, 1, config_.limits.max_page_size);
  uint32_t perms = a.Perms(folder.ids);
  // Without list permission a folder is only a way through: show the folders
  // that lead somewhere, never files.
  bool full = (perms & kList) != 0;
  ListPage page;
  std::vector<store::Id> ids = folder.ids;
  ids.push_back(0);
  size_t scanned = 0;
  const size_t max_scan = limit * 20;  // bounds work on folders full of hidden entries
  bool more = true;
  while (more && page.entries.size() < limit && scanned < max_scan) {
    COFFER_ASSIGN_OR_RETURN(auto rows, store_.ListChildren(folder.target().id, cursor, limit));
    more = rows.size() == limit;
    for (size_t i = 0; i < rows.size(); ++i) {
      const store::Entry& e = rows[i];
      ++scanned;
      cursor = store::CursorAfter(cursor, e);
      bool is_folder = e.kind == store::EntryKind::kFolder;
      if (!is_folder && !full) {
        more = false;  // files sort after folders: nothing visible follows
        break;
      }
      ids.back() = e.id;
      if (is_folder && !a.FolderVisible(ids)) continue;
      page.entries.push_back(
          Info(e, ChildPath(folder.path, e.name), is_folder ? a.Perms(ids) : perms));
      if (page.entries.size() == limit) {
        more = more || i + 1 < rows.size();
        break;
      }
    }
  }
  if (more) page.next_cursor = EncodeCursor(cursor);
  return page;
}

Result<EntryInfo> FileService::Stat(const Principal& p, const Context& c, std::string_view path) {
  Operation op(activity_, p, c, "file.stat", std::string(path));
  auto run = [&]() -> Result<EntryInfo> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(Resolved r, resolver_.Resolve(a, path));
    op.fact().path = r.path;
    op.fact().object_id = r.target().id;
    return Info(r.target(), r.path, a.Perms(r.FolderIds()));
  };
  return op.Finish(run());
}

Result<EntryInfo> FileService::Mkdir(const Principal& p, const Context& c, std::string_view path) {
  Operation op(activity_, p, c, "folder.create", std::string(path));
  auto run = [&]() -> Result<EntryInfo> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(ParentAndName pn, resolver_.ResolveParent(a, path));
    op.fact().path = pn.path;
    COFFER_RETURN_IF_ERROR(RequireAdminAtRoot(a, pn.parent.ids));
    COFFER_RETURN_IF_ERROR(a.Require(pn.parent.ids, Action::kMkdir));
    store::Entry e = NewFolder(pn.parent.target().id, pn.name, p.user_id, op.NowSeconds());
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(e.id, store_.InsertEntry(e));
      op.fact().object_id = e.id;
      return op.AppendInTx();
    }));
    std::vector<store::Id> ids = pn.parent.ids;
    ids.push_back(e.id);
    return Info(e, pn.path, a.Perms(ids));
  };
  return op.Finish(run());
}

Result<EntryInfo> FileService::Move(const Principal& p, const Context& c, std::string_view from,
                                    std::string_view to) {
  Operation op(activity_, p, c, "file.move", std::string(from));
  auto run = [&]() -> Result<EntryInfo> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    return MoveIn(op, a, from, to);
  };
  return op.Finish(run());
}

Result<EntryInfo> FileService::MoveIn(Operation& op, const Access& a, std::string_view from,
                                      std::string_view to) {
  COFFER_ASSIGN_OR_RETURN(Resolved src, resolver_.Resolve(a, from));
  if (src.is_root()) return InvalidArgument("the root folder cannot be moved");
  op.fact().path = src.path;
  op.fact().object_id = src.target().id;
  COFFER_ASSIGN_OR_RETURN(ParentAndName dst, resolver_.ResolveParent(a, to));
  op.fact().detail = "to " + dst.path;
  const store::Entry& e = src.target();
  bool is_folder = e.kind == store::EntryKind::kFolder;
  if (is_folder && Contains(dst.parent.ids, e.id)) {
    return InvalidArgument("a folder cannot be moved into itself");
  }
  if (!is_folder && dst.parent.is_root()) return InvalidArgument("the root holds folders only");
  COFFER_RETURN_IF_ERROR(RequireAdminAtRoot(a, src.ParentIds()));
  COFFER_RETURN_IF_ERROR(RequireAdminAtRoot(a, dst.parent.ids));
  bool same_parent = dst.parent.target().id == e.parent_id;
  if (same_parent) {
    COFFER_RETURN_IF_ERROR(a.Require(src.ParentIds(), Action::kRenameWithin));
  } else {
    COFFER_RETURN_IF_ERROR(a.Require(src.ParentIds(), Action::kMoveOut));
    COFFER_RETURN_IF_ERROR(a.Require(dst.parent.ids, Action::kMoveIn));
  }
  int64_t now = op.NowSeconds();
  COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(store::Entry fresh, store_.GetEntry(e.id));
    COFFER_ASSIGN_OR_RETURN(int64_t bytes, StoredBytes(fresh));
    if (!same_parent) {
      UsageChange usage;
      usage.AddFolders(src.ParentIds(), -bytes);
      usage.AddFolders(dst.parent.ids, bytes);
      COFFER_RETURN_IF_ERROR(usage.Apply(store_));
    }
    COFFER_RETURN_IF_ERROR(
        store_.MoveEntry(e.id, dst.parent.target().id, dst.name.name, dst.name.key, now));
    op.fact().bytes = bytes;
    return op.AppendInTx();
  }));
  COFFER_ASSIGN_OR_RETURN(store::Entry moved, store_.GetEntry(e.id));
  return Info(moved, dst.path, a.Perms(dst.parent.ids));
}

Status FileService::Delete(const Principal& p, const Context& c, std::string_view path) {
  Operation op(activity_, p, c, "file.delete", std::string(path));
  auto run = [&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    return DeleteIn(op, a, path);
  };
  return op.Finish(run());
}

Status FileService::DeleteIn(Operation& op, const Access& a, std::string_view path) {
  COFFER_ASSIGN_OR_RETURN(Resolved r, resolver_.Resolve(a, path));
  if (r.is_root()) return InvalidArgument("the root folder cannot be deleted");
  op.fact().path = r.path;
  op.fact().object_id = r.target().id;
  COFFER_RETURN_IF_ERROR(RequireAdminAtRoot(a, r.ParentIds()));
  COFFER_RETURN_IF_ERROR(a.Require(r.ParentIds(), Action::kDelete));
  return store_.Transact([&]() -> Status {
    COFFER_RETURN_IF_ERROR(
        store_.SetDeleted(r.target().id, op.NowSeconds(), op.principal().user_id));
    return op.AppendInTx();
  });
}

Result<std::vector<EntryInfo>> FileService::ListRecycle(const Principal& p, const Context& c,
                                                        std::string_view folder_path) {
  Operation op(activity_, p, c, "recycle.list", std::string(folder_path));
  auto run = [&]() -> Result<std::vector<EntryInfo>> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(Resolved folder, resolver_.Resolve(a, folder_path));
    if (folder.target().kind != store::EntryKind::kFolder) return InvalidArgument("not a folder");
    COFFER_RETURN_IF_ERROR(a.Require(folder.ids, Action::kList));
    COFFER_ASSIGN_OR_RETURN(
        auto rows, store_.ListDeletedChildren(folder.target().id, config_.limits.max_page_size));
    std::vector<EntryInfo> out;
    for (const auto& e : rows)
      out.push_back(Info(e, ChildPath(folder.path, e.name), a.Perms(folder.ids)));
    return out;
  };
  return op.Finish(run());
}

Result<EntryInfo> FileService::Restore(const Principal& p, const Context& c, store::Id entry_id) {
  Operation op(activity_, p, c, "file.restore", "");
  op.fact().object_id = entry_id;
  auto run = [&]() -> Result<EntryInfo> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    return RestoreIn(op, a, entry_id);
  };
  return op.Finish(run());
}

Result<EntryInfo> FileService::RestoreIn(Operation& op, const Access& a, store::Id entry_id) {
  COFFER_ASSIGN_OR_RETURN(Resolved r, resolver_.ResolveId(a, entry_id));
  op.fact().path = r.path;
  if (r.is_root() || !r.target().deleted_at) return InvalidArgument("not in the recycle bin");
  for (size_t i = 0; i + 1 < r.chain.size(); ++i) {
    if (r.chain[i].deleted_at) {
      return FailedPrecondition("the folder holding it is deleted: restore \"" + r.chain[i].name +
                                "\" first");
    }
  }
  COFFER_RETURN_IF_ERROR(RequireAdminAtRoot(a, r.ParentIds()));
  COFFER_RETURN_IF_ERROR(a.Require(r.ParentIds(), Action::kRestore));
  COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
    auto clash = store_.FindChild(r.target().parent_id, r.target().name_key);
    if (clash.ok()) return AlreadyExists("an item named \"" + clash->name + "\" is in the way");
    COFFER_RETURN_IF_ERROR(store_.SetDeleted(entry_id, std::nullopt, 0));
    return op.AppendInTx();
  }));
  store::Entry e = r.target();
  e.deleted_at.reset();
  return Info(e, r.path, a.Perms(r.FolderIds()));
}

}  // namespace coffer::service
