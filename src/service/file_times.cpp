// FileService: modification times and the space left under quotas.
#include "service/file_service.h"
#include "service/operation.h"
#include "service/usage.h"

namespace coffer::service {

Result<EntryInfo> FileService::SetModified(const Principal& p, const Context& c,
                                           std::string_view path, int64_t modified_at) {
  Operation op(activity_, p, c, "file.touch", std::string(path));
  auto run = [&]() -> Result<EntryInfo> {
    if (modified_at < 0 || modified_at > (int64_t{1} << 40)) {
      return InvalidArgument("modification time out of range");
    }
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(Resolved r, resolver_.Resolve(a, path));
    op.fact().path = r.path;
    op.fact().object_id = r.target().id;
    if (r.is_root()) return PermissionDenied("the root cannot be changed");
    COFFER_RETURN_IF_ERROR(a.Require(r.ParentIds(), Action::kUpload));
    COFFER_RETURN_IF_ERROR(store_.Transact([&]() -> Status {
      COFFER_RETURN_IF_ERROR(store_.SetModifiedAt(r.target().id, modified_at));
      return op.AppendInTx();
    }));
    store::Entry e = r.target();
    e.modified_at = modified_at;
    return Info(e, r.path, a.Perms(r.FolderIds()));
  };
  return op.Finish(run());
}

Result<SpaceInfo> FileService::Space(const Principal& p, const Context& c, std::string_view path) {
  Operation op(activity_, p, c, "file.space", std::string(path));
  auto run = [&]() -> Result<SpaceInfo> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(Resolved r, resolver_.Resolve(a, path));
    op.fact().path = r.path;
    SpaceInfo s;
    COFFER_ASSIGN_OR_RETURN(s.room_bytes, QuotaRoom(store_, p.user_id, r.FolderIds()));
    if (p.user_id != 0) {
      COFFER_ASSIGN_OR_RETURN(store::User u, store_.GetUser(p.user_id));
      s.user_used_bytes = u.used_bytes;
    }
    return s;
  };
  return op.Finish(run());
}

}  // namespace coffer::service
