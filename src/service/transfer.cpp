// Uploads and downloads: streaming through the encrypted blob store.
#include <limits>

#include "service/file_service.h"
#include "service/operation.h"
#include "service/usage.h"
#include "util/bytes.h"

namespace coffer::service {

namespace {

std::string Sha256Hex(const std::array<uint8_t, 32>& digest) { return ToHex(digest); }

// The versions an upload of one more version pushes out (oldest first).
std::vector<store::FileVersion> Pruned(std::vector<store::FileVersion> newest_first, size_t kept) {
  if (newest_first.size() < kept) return {};
  return {newest_first.begin() + static_cast<std::ptrdiff_t>(kept - 1), newest_first.end()};
}

}  // namespace

class UploadImpl final : public Upload {
 public:
  UploadImpl(FileService& fs, Principal p, Context c, ParentAndName target, UploadOptions options,
             std::unique_ptr<blob::BlobWriter> writer, int64_t room)
      : fs_(fs),
        principal_(std::move(p)),
        context_(std::move(c)),
        target_(std::move(target)),
        options_(options),
        writer_(std::move(writer)),
        room_(room) {}

  Status Write(std::span<const uint8_t> data) override {
    if (!failed_.ok()) return failed_;
    uint64_t total = writer_->bytes_written() + data.size();
    if (total > fs_.config_.limits.max_file_bytes) {
      return Fail(LimitExceeded("file is larger than the limit of " +
                                std::to_string(fs_.config_.limits.max_file_bytes) + " bytes"));
    }
    if (total > static_cast<uint64_t>(room_)) return Fail(QuotaExceeded("quota exceeded"));
    Status st = writer_->Write(data);
    if (!st.ok()) return Fail(st);
    return Status::Ok();
  }

  Result<EntryInfo> Commit() override {
    Operation op(fs_.activity_, principal_, context_, "file.upload", target_.path);
    if (committed_) return op.Finish(Result<EntryInfo>(FailedPrecondition("already committed")));
    committed_ = true;
    return op.Finish(CommitIn(op));
  }

  ~UploadImpl() override {
    if (!committed_) {
      // Nothing was made visible; the partial content dies with the writer.
      Operation op(fs_.activity_, principal_, context_, "file.upload", target_.path);
      op.fact().bytes = static_cast<int64_t>(writer_->bytes_written());
      (void)op.Finish(failed_.ok() ? Status(Code::kFailedPrecondition, "upload abandoned") : failed_);
    }
  }

 private:
  Status Fail(Status st) {
    failed_ = st;
    return st;
  }

  Result<EntryInfo> CommitIn(Operation& op) {
    COFFER_RETURN_IF_ERROR(failed_);
    COFFER_ASSIGN_OR_RETURN(blob::BlobRef ref, writer_->Finish());
    op.fact().bytes = static_cast<int64_t>(ref.size);
    op.fact().sha256_hex = Sha256Hex(ref.sha256);
    if (options_.expected_sha256 && *options_.expected_sha256 != ref.sha256) {
      (void)fs_.blobs_.Remove(ref.id);
      return InvalidArgument("content does not match the expected SHA-256");
    }
    std::vector<std::string> dead;
    store::Entry entry;
    Status st = fs_.store_.Transact([&]() -> Status {
      dead.clear();
      COFFER_ASSIGN_OR_RETURN(entry, Record(ref, op, &dead));
      return op.AppendInTx();
    });
    if (!st.ok()) {
      (void)fs_.blobs_.Remove(ref.id);
      return st;
    }
    fs_.RemoveBlobs(dead);
    return fs_.Info(entry, target_.path, 0);
  }

  // Inside the transaction: the folder must still be there, quotas are checked
  // against fresh counters, and the new version becomes current.
  Result<store::Entry> Record(const blob::BlobRef& ref, Operation& op,
                              std::vector<std::string>* dead) {
    const auto& ids = target_.parent.ids;
    for (store::Id id : ids) {
      COFFER_ASSIGN_OR_RETURN(store::Entry f, fs_.store_.GetEntry(id));
      if (f.deleted_at) return FailedPrecondition("the folder was deleted during the upload");
    }
    store::Id parent = target_.parent.target().id;
    int64_t now = op.NowSeconds();
    store::Entry entry;
    auto existing = fs_.store_.FindChild(parent, target_.name.key);
    std::vector<store::FileVersion> pruned;
    if (existing.ok()) {
      if (existing->kind == store::EntryKind::kFolder) {
        return AlreadyExists("a folder with this name exists");
      }
      if (!options_.overwrite) return AlreadyExists("a file with this name exists");
      entry = *existing;
      COFFER_ASSIGN_OR_RETURN(auto versions, fs_.store_.ListVersions(entry.id));
      pruned = Pruned(std::move(versions), fs_.config_.retention.versions_kept);
    } else if (existing.status().code() != Code::kNotFound) {
      return existing.status();
    } else {
      entry.parent_id = parent;
      entry.kind = store::EntryKind::kFile;
      entry.name = target_.name.name;
      entry.name_key = target_.name.key;
      entry.owner_id = principal_.user_id;
      entry.created_at = entry.modified_at = now;
      COFFER_ASSIGN_OR_RETURN(entry.id, fs_.store_.InsertEntry(entry));
    }
    UsageChange usage;
    usage.AddUser(principal_.user_id, static_cast<int64_t>(ref.size));
    usage.AddFolders(ids, static_cast<int64_t>(ref.size));
    for (const auto& v : pruned) {
      usage.AddUser(v.uploaded_by, -v.size);
      usage.AddFolders(ids, -v.size);
    }
    COFFER_RETURN_IF_ERROR(usage.Apply(fs_.store_));
    store::FileVersion v;
    v.entry_id = entry.id;
    v.blob_id_hex = ref.id.Hex();
    v.size = static_cast<int64_t>(ref.size);
    v.sha256_hex = Sha256Hex(ref.sha256);
    v.chunk_size = ref.chunk_size;
    v.key_id = ref.key.key_id;
    v.wrapped_key = ref.key.wrapped;
    v.uploaded_by = principal_.user_id;
    v.created_at = now;
    COFFER_ASSIGN_OR_RETURN(v.id, fs_.store_.InsertVersion(v));
    COFFER_RETURN_IF_ERROR(fs_.store_.SetCurrentVersion(entry.id, v));
    for (const auto& old : pruned) {
      COFFER_RETURN_IF_ERROR(fs_.store_.DeleteVersion(old.id));
      dead->push_back(old.blob_id_hex);
    }
    op.fact().object_id = entry.id;
    entry.current_version_id = v.id;
    entry.size = v.size;
    entry.sha256_hex = v.sha256_hex;
    entry.modified_at = now;
    return entry;
  }

  FileService& fs_;
  Principal principal_;
  Context context_;
  ParentAndName target_;
  UploadOptions options_;
  std::unique_ptr<blob::BlobWriter> writer_;
  int64_t room_;
  Status failed_;
  bool committed_ = false;
};

Result<FileService::UploadPlan> FileService::PlanUpload(Operation& op, const Principal& p,
                                                        std::string_view path,
                                                        const UploadOptions& options) {
  COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
  COFFER_ASSIGN_OR_RETURN(ParentAndName target, resolver_.ResolveParent(a, path));
  op.fact().path = target.path;
  if (target.parent.is_root()) return InvalidArgument("the root holds folders only");
  COFFER_RETURN_IF_ERROR(a.Require(target.parent.ids, Action::kUpload));
  auto existing = store_.FindChild(target.parent.target().id, target.name.key);
  int64_t reclaimable = 0;
  if (existing.ok()) {
    if (existing->kind == store::EntryKind::kFolder) {
      return AlreadyExists("a folder with this name exists");
    }
    if (!options.overwrite) return AlreadyExists("a file with this name exists");
    COFFER_ASSIGN_OR_RETURN(auto versions, store_.ListVersions(existing->id));
    for (const auto& v : Pruned(std::move(versions), config_.retention.versions_kept)) {
      reclaimable += v.size;
    }
  }
  COFFER_ASSIGN_OR_RETURN(int64_t room, QuotaRoom(store_, p.user_id, target.parent.ids));
  if (room < std::numeric_limits<int64_t>::max() - reclaimable) room += reclaimable;
  if (options.declared_size) {
    if (*options.declared_size > config_.limits.max_file_bytes) {
      return LimitExceeded("file is larger than the limit of " +
                           std::to_string(config_.limits.max_file_bytes) + " bytes");
    }
    if (*options.declared_size > static_cast<uint64_t>(room))
      return QuotaExceeded("quota exceeded");
  }
  return UploadPlan{std::move(target), room};
}

Result<std::unique_ptr<Upload>> FileService::BeginUpload(const Principal& p, const Context& c,
                                                         std::string_view path,
                                                         UploadOptions options) {
  Operation op(activity_, p, c, "file.upload", std::string(path));
  auto run = [&]() -> Result<std::unique_ptr<Upload>> {
    COFFER_ASSIGN_OR_RETURN(UploadPlan plan, PlanUpload(op, p, path, options));
    COFFER_ASSIGN_OR_RETURN(auto writer, blobs_.Create());
    return std::unique_ptr<Upload>(
        new UploadImpl(*this, p, c, std::move(plan.target), options, std::move(writer), plan.room));
  };
  auto r = run();
  if (r.ok()) return r;  // the outcome is recorded at Commit or when abandoned
  return op.Finish(std::move(r));
}

namespace {

// A blob written elsewhere (a resumable upload), handed to UploadImpl to commit.
class FinishedBlob final : public blob::BlobWriter {
 public:
  explicit FinishedBlob(blob::BlobRef ref) : ref_(std::move(ref)) {}
  Status Write(std::span<const uint8_t>) override { return FailedPrecondition("blob is finished"); }
  uint64_t bytes_written() const override { return ref_.size; }
  Result<blob::BlobRef> Finish() override { return ref_; }

 private:
  blob::BlobRef ref_;
};

}  // namespace

Result<EntryInfo> FileService::CommitBlob(const Principal& p, const Context& c,
                                          std::string_view path, const blob::BlobRef& ref) {
  UploadOptions options;
  options.declared_size = ref.size;
  std::unique_ptr<Upload> upload;
  {
    Operation op(activity_, p, c, "file.upload", std::string(path));
    auto plan = PlanUpload(op, p, path, options);
    if (!plan.ok()) {
      (void)blobs_.Remove(ref.id);
      op.fact().bytes = static_cast<int64_t>(ref.size);
      return op.Finish(Result<EntryInfo>(plan.status()));
    }
    upload.reset(new UploadImpl(*this, p, c, std::move(plan->target), options,
                                std::make_unique<FinishedBlob>(ref), plan->room));
  }
  return upload->Commit();  // records the outcome; removes the blob if it fails
}

namespace {

class DownloadImpl final : public Download {
 public:
  DownloadImpl(EntryInfo info, std::unique_ptr<blob::BlobReader> reader)
      : info_(std::move(info)), reader_(std::move(reader)) {}
  const EntryInfo& info() const override { return info_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    return reader_->ReadAt(offset, out);
  }

 private:
  EntryInfo info_;
  std::unique_ptr<blob::BlobReader> reader_;
};

}  // namespace

Result<std::unique_ptr<Download>> FileService::OpenDownload(const Principal& p, const Context& c,
                                                            std::string_view path,
                                                            std::optional<ByteRange> range) {
  Operation op(activity_, p, c, "file.download", std::string(path));
  auto run = [&]() -> Result<std::unique_ptr<Download>> {
    COFFER_ASSIGN_OR_RETURN(Access a, Access::Load(store_, p));
    COFFER_ASSIGN_OR_RETURN(Resolved r, resolver_.Resolve(a, path));
    op.fact().path = r.path;
    op.fact().object_id = r.target().id;
    if (r.target().kind != store::EntryKind::kFile) return InvalidArgument("not a file");
    COFFER_RETURN_IF_ERROR(a.Require(r.ParentIds(), Action::kRead));
    COFFER_ASSIGN_OR_RETURN(store::FileVersion v, store_.GetVersion(r.target().current_version_id));
    op.fact().sha256_hex = v.sha256_hex;
    op.fact().bytes = range ? static_cast<int64_t>(range->length) : v.size;
    COFFER_ASSIGN_OR_RETURN(std::unique_ptr<blob::BlobReader> reader, OpenVersion(v));
    return std::unique_ptr<Download>(
        new DownloadImpl(Info(r.target(), r.path, a.Perms(r.ParentIds())), std::move(reader)));
  };
  return op.Finish(run());
}

Result<std::unique_ptr<blob::BlobReader>> FileService::OpenVersion(const store::FileVersion& v) {
  blob::BlobRef ref;
  COFFER_ASSIGN_OR_RETURN(ref.id, blob::BlobId::FromHex(v.blob_id_hex));
  ref.size = static_cast<uint64_t>(v.size);
  auto sha = FromHex(v.sha256_hex);
  if (!sha || sha->size() != ref.sha256.size()) return IntegrityError("stored digest is malformed");
  std::copy(sha->begin(), sha->end(), ref.sha256.begin());
  ref.chunk_size = static_cast<uint32_t>(v.chunk_size);
  ref.key.key_id = static_cast<uint32_t>(v.key_id);
  ref.key.wrapped = v.wrapped_key;
  return blobs_.Open(ref);
}

void FileService::RemoveBlobs(const std::vector<std::string>& blob_ids) {
  // Best effort: a blob left behind is unreferenced and swept at the next start.
  for (const auto& hex : blob_ids) {
    auto id = blob::BlobId::FromHex(hex);
    if (id.ok()) (void)blobs_.Remove(*id);
  }
}

}  // namespace coffer::service
