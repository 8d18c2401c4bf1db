// The local BlobStore: lays out <root>/tmp and <root>/objects/<00..ff>, hands out
// writers and readers, removes blobs and sweeps orphans.
#include <sodium.h>

#include "blob/blob_format.h"
#include "blob/local_blob_files.h"

namespace coffer::blob {

namespace {

constexpr std::string_view kTmpDir = "tmp";
constexpr std::string_view kObjectsDir = "objects";
constexpr std::string_view kPartialDir = "partial";

// Makes `name` beneath `dir` unless it exists; true if it was made.
Result<bool> EnsureDir(Env* env, const Dir& dir, std::string_view name) {
  Status s = env->MakeDir(dir, name);
  if (s.code() == Code::kAlreadyExists) return false;
  if (!s.ok()) return s;
  return true;
}

// All 256 prefix directories exist from the start, so committing a blob is
// exactly fsync, rename, fsync and never has to make (and sync) a directory.
Status EnsurePrefixDirs(Env* env, const Dir& objects) {
  bool made = false;
  for (int i = 0; i < 256; ++i) {
    BlobId id;
    id.bytes[0] = static_cast<uint8_t>(i);
    COFFER_ASSIGN_OR_RETURN(bool m, EnsureDir(env, objects, format::PrefixOf(id)));
    made = made || m;
  }
  return made ? env->SyncDir(objects) : Status::Ok();
}

Result<std::shared_ptr<const LocalDirs>> OpenDirs(const std::string& root, Env* env) {
  auto dirs = std::make_shared<LocalDirs>();
  dirs->env = env;
  COFFER_ASSIGN_OR_RETURN(dirs->root, env->OpenRoot(root, /*create=*/true));
  COFFER_ASSIGN_OR_RETURN(bool made_tmp, EnsureDir(env, dirs->root, kTmpDir));
  COFFER_ASSIGN_OR_RETURN(bool made_objects, EnsureDir(env, dirs->root, kObjectsDir));
  COFFER_ASSIGN_OR_RETURN(bool made_partial, EnsureDir(env, dirs->root, kPartialDir));
  if (made_tmp || made_objects || made_partial) COFFER_RETURN_IF_ERROR(env->SyncDir(dirs->root));
  COFFER_ASSIGN_OR_RETURN(dirs->tmp, env->OpenDir(dirs->root, kTmpDir));
  COFFER_ASSIGN_OR_RETURN(dirs->objects, env->OpenDir(dirs->root, kObjectsDir));
  COFFER_ASSIGN_OR_RETURN(dirs->partial, env->OpenDir(dirs->root, kPartialDir));
  COFFER_RETURN_IF_ERROR(EnsurePrefixDirs(env, dirs->objects));
  return std::shared_ptr<const LocalDirs>(std::move(dirs));
}

class LocalBlobStore final : public BlobStore {
 public:
  LocalBlobStore(std::shared_ptr<const LocalDirs> dirs, const crypto::Keyring& keyring,
                 BlobStoreOptions options)
      : dirs_(std::move(dirs)), keyring_(keyring), options_(options) {}

  Result<std::unique_ptr<BlobWriter>> Create() override {
    return NewLocalBlobWriter(dirs_, keyring_, options_);
  }

  Result<std::unique_ptr<BlobReader>> Open(const BlobRef& ref) override {
    return NewLocalBlobReader(dirs_, keyring_, ref);
  }

  Status Remove(const BlobId& id) override {
    Env* env = dirs_->env;
    COFFER_ASSIGN_OR_RETURN(Dir prefix, env->OpenDir(dirs_->objects, format::PrefixOf(id)));
    COFFER_RETURN_IF_ERROR(env->Unlink(prefix, id.Hex()));
    return env->SyncDir(prefix);
  }

  Result<PartialRef> CreatePartial(uint64_t size) override {
    if (size > options_.max_blob_bytes) return LimitExceeded("file is too large");
    return NewLocalPartial(dirs_, keyring_, size, options_.chunk_size);
  }

  Result<std::unique_ptr<PartialWriter>> OpenPartial(const PartialRef& ref,
                                                     uint64_t durable) override {
    return OpenLocalPartial(dirs_, keyring_, ref, durable);
  }

  Status RemovePartial(const BlobId& id) override {
    COFFER_RETURN_IF_ERROR(dirs_->env->Unlink(dirs_->partial, id.Hex()));
    return dirs_->env->SyncDir(dirs_->partial);
  }

  Result<std::vector<BlobId>> ListPartials() override {
    COFFER_ASSIGN_OR_RETURN(auto names, dirs_->env->List(dirs_->partial));
    std::vector<BlobId> out;
    for (const auto& name : names) {
      auto id = BlobId::FromHex(name);
      if (id.ok()) out.push_back(*id);  // anything else is not ours: left alone
    }
    return out;
  }

  Result<uint64_t> SweepOrphans(const std::function<bool(const BlobId&)>& is_referenced) override {
    COFFER_ASSIGN_OR_RETURN(uint64_t removed, SweepTemporaries());
    Env* env = dirs_->env;
    COFFER_ASSIGN_OR_RETURN(auto prefixes, env->List(dirs_->objects));
    for (const auto& name : prefixes) {
      if (!format::IsPrefixName(name)) continue;  // not ours: leave it alone
      COFFER_ASSIGN_OR_RETURN(Dir prefix, env->OpenDir(dirs_->objects, name));
      COFFER_ASSIGN_OR_RETURN(uint64_t n, SweepPrefix(prefix, name, is_referenced));
      removed += n;
    }
    return removed;
  }

 private:
  // Every file in tmp/ belongs to a writer that never finished.
  Result<uint64_t> SweepTemporaries() {
    Env* env = dirs_->env;
    COFFER_ASSIGN_OR_RETURN(auto names, env->List(dirs_->tmp));
    for (const auto& name : names) COFFER_RETURN_IF_ERROR(env->Unlink(dirs_->tmp, name));
    if (!names.empty()) COFFER_RETURN_IF_ERROR(env->SyncDir(dirs_->tmp));
    return names.size();
  }

  Result<uint64_t> SweepPrefix(const Dir& prefix, std::string_view prefix_name,
                               const std::function<bool(const BlobId&)>& is_referenced) {
    Env* env = dirs_->env;
    COFFER_ASSIGN_OR_RETURN(auto names, env->List(prefix));
    uint64_t removed = 0;
    for (const auto& name : names) {
      auto id = BlobId::FromHex(name);
      // Only names this store could have written are candidates.
      if (!id.ok() || !name.starts_with(prefix_name) || is_referenced(*id)) continue;
      COFFER_RETURN_IF_ERROR(env->Unlink(prefix, name));
      ++removed;
    }
    if (removed > 0) COFFER_RETURN_IF_ERROR(env->SyncDir(prefix));
    return removed;
  }

  std::shared_ptr<const LocalDirs> dirs_;
  const crypto::Keyring& keyring_;
  const BlobStoreOptions options_;
};

}  // namespace

Result<std::unique_ptr<BlobStore>> OpenLocalBlobStore(const std::string& root,
                                                      const crypto::Keyring& keyring,
                                                      BlobStoreOptions options, Env* env) {
  if (options.chunk_size < format::kMinChunkSize || options.chunk_size > format::kMaxChunkSize) {
    return InvalidArgument("chunk size out of range");
  }
  if (options.max_blob_bytes > format::kMaxBlobSize) options.max_blob_bytes = format::kMaxBlobSize;
  if (sodium_init() < 0) return InternalError("libsodium failed to start");
  COFFER_ASSIGN_OR_RETURN(auto dirs, OpenDirs(root, env != nullptr ? env : Env::Default()));
  return std::unique_ptr<BlobStore>(
      std::make_unique<LocalBlobStore>(std::move(dirs), keyring, options));
}

}  // namespace coffer::blob
