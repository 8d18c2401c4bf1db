// Copying files and folders: content is re-encrypted under new data keys, so
// the copy and the original share nothing and are purged independently.
#include "service/file_service.h"
#include "service/operation.h"
#include "service/usage.h"

namespace coffer::service {

class CopyJob {
 public:
  CopyJob(FileService& fs, const Access& access, const Principal& p, const Context& c)
      : fs_(fs), access_(access), principal_(p), context_(c) {}

  // Copies `src` into the folder `dst_parent` under `name`.
  Result<store::Entry> Run(const Resolved& src, const Resolved& dst_parent, const NormalName& name,
                           int depth) {
    if (++entries_ > fs_.config_.limits.max_copy_entries) {
      return LimitExceeded("copy would create more than " +
                           std::to_string(fs_.config_.limits.max_copy_entries) + " entries");
    }
    if (depth > static_cast<int>(fs_.config_.limits.max_depth)) {
      return LimitExceeded("folder tree too deep");
    }
    const store::Entry& e = src.target();
    if (e.kind == store::EntryKind::kFile) return CopyFile(src, dst_parent, name);
    return CopyFolder(src, dst_parent, name, depth);
  }
  int64_t bytes() const { return bytes_; }

 private:
  Result<store::Entry> CopyFolder(const Resolved& src, const Resolved& dst_parent,
                                  const NormalName& name, int depth) {
    COFFER_RETURN_IF_ERROR(access_.Require(src.ids, Action::kCopyFrom));
    store::Entry folder = FileService::NewFolder(dst_parent.target().id, name, principal_.user_id,
                                                 fs_.activity_.NowUs() / 1000000);
    COFFER_ASSIGN_OR_RETURN(folder.id, fs_.store_.InsertEntry(folder));
    Resolved into = dst_parent;
    into.chain.push_back(folder);
    into.ids.push_back(folder.id);
    into.path = ChildPath(dst_parent.path, folder.name);
    store::ListCursor cursor;
    for (;;) {
      COFFER_ASSIGN_OR_RETURN(auto rows, fs_.store_.ListChildren(src.target().id, cursor, 100));
      for (const auto& child : rows) {
        cursor = store::CursorAfter(cursor, child);
        Resolved from = src;
        from.chain.push_back(child);
        from.ids.push_back(child.id);
        from.path = ChildPath(src.path, child.name);
        if (child.kind == store::EntryKind::kFolder && !access_.FolderVisible(from.ids)) continue;
        COFFER_RETURN_IF_ERROR(Run(from, into, {child.name, child.name_key}, depth + 1).status());
      }
      if (rows.size() < 100) break;
    }
    return folder;
  }

  Result<store::Entry> CopyFile(const Resolved& src, const Resolved& dst_parent,
                                const NormalName& name) {
    COFFER_RETURN_IF_ERROR(access_.Require(src.ParentIds(), Action::kCopyFrom));
    COFFER_ASSIGN_OR_RETURN(store::FileVersion v, fs_.store_.GetVersion(src.target().current_version_id));
    COFFER_ASSIGN_OR_RETURN(auto reader, fs_.OpenVersion(v));
    ParentAndName target{dst_parent, name, ChildPath(dst_parent.path, name.name)};
    UploadOptions options;
    options.overwrite = false;
    COFFER_ASSIGN_OR_RETURN(int64_t room, QuotaRoom(fs_.store_, principal_.user_id, dst_parent.ids));
    if (v.size > room) return QuotaExceeded("quota exceeded");
    COFFER_ASSIGN_OR_RETURN(auto upload, fs_.BeginUpload(principal_, context_, target.path, options));
    std::vector<uint8_t> buf(1 << 20);
    for (uint64_t off = 0; off < static_cast<uint64_t>(v.size);) {
      COFFER_ASSIGN_OR_RETURN(size_t n, reader->ReadAt(off, buf));
      if (n == 0) return IntegrityError("content ended early");
      COFFER_RETURN_IF_ERROR(upload->Write({buf.data(), n}));
      off += n;
    }
    COFFER_ASSIGN_OR_RETURN(EntryInfo info, upload->Commit());
    bytes_ += v.size;
    return fs_.store_.GetEntry(info.id);
  }

  FileService& fs_;
  const Access& access_;
  const Principal& principal_;
  const Context& context_;
  uint32_t entries_ = 0;
  int64_t bytes_ = 0;
};

Result<EntryInfo> FileService::Copy(const Principal& p, const Context& c, std::string_view from,
                                    std::string_view to) {
  Operation op(activity_, p, c, "file.copy", std::string(from));
  auto run = [&]() -> Result<EntryInfo> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(Resolved src, resolver_.Resolve(a, from));
    if (src.is_root()) return InvalidArgument("the root folder cannot be copied");
    op.fact().path = src.path;
    op.fact().object_id = src.target().id;
    COFFER_ASSIGN_OR_RETURN(ParentAndName dst, resolver_.ResolveParent(a, to));
    op.fact().detail = "to " + dst.path;
    bool is_folder = src.target().kind == store::EntryKind::kFolder;
    if (dst.parent.is_root() && !(is_folder && p.is_admin())) {
      return is_folder ? PermissionDenied("only administrators change top-level folders")
                       : InvalidArgument("the root holds folders only");
    }
    for (store::Id id : dst.parent.ids) {
      if (is_folder && id == src.target().id) return InvalidArgument("a folder cannot be copied into itself");
    }
    COFFER_RETURN_IF_ERROR(a.Require(dst.parent.ids, Action::kCopyTo));
    if (store_.FindChild(dst.parent.target().id, dst.name.key).ok()) {
      return AlreadyExists("the destination exists");
    }
    CopyJob job(*this, a, p, c);
    // A folder copy is not one transaction: on failure what was copied stays and
    // the record says how far it got.
    auto copied = job.Run(src, dst.parent, dst.name, 0);
    op.fact().bytes = job.bytes();
    if (!copied.ok()) return copied.status();
    COFFER_RETURN_IF_ERROR(store_.Transact([&] { return op.AppendInTx(); }));
    return Info(*copied, dst.path, a.Perms(dst.parent.ids));
  };
  return op.Finish(run());
}

}  // namespace coffer::service
