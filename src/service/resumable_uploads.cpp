// Resumable uploads: creation, status, appends, completion, termination, expiry.
#include "service/resumable_uploads.h"

#include <spdlog/spdlog.h>

#include "service/operation.h"

namespace coffer::service {

namespace {

// During one long append, the durable offset is advanced this often, so a crash
// or restart mid-request loses at most this much.
constexpr uint64_t kCheckpointBytes = 64 * 1024 * 1024;

blob::PartialRef PartialOf(const store::UploadRow& row) {
  blob::PartialRef ref;
  auto id = blob::BlobId::FromHex(row.blob_id_hex);
  if (id.ok()) ref.id = *id;
  ref.size = static_cast<uint64_t>(row.length);
  ref.chunk_size = static_cast<uint32_t>(row.chunk_size);
  ref.key.key_id = static_cast<uint32_t>(row.key_id);
  ref.key.wrapped = row.wrapped_key;
  return ref;
}

}  // namespace

class PatchImpl final : public UploadPatch {
 public:
  PatchImpl(ResumableUploads& owner, Principal p, Context c, store::UploadRow row,
            std::unique_ptr<blob::PartialWriter> writer)
      : owner_(owner),
        principal_(std::move(p)),
        context_(std::move(c)),
        row_(std::move(row)),
        writer_(std::move(writer)),
        checkpoint_at_(writer_->bytes_written() + kCheckpointBytes) {}

  ~PatchImpl() override { owner_.Release(row_.public_id); }

  Status Write(std::span<const uint8_t> data) override {
    COFFER_RETURN_IF_ERROR(writer_->Write(data));
    if (writer_->bytes_written() >= checkpoint_at_ &&
        writer_->bytes_written() < static_cast<uint64_t>(row_.length)) {
      COFFER_RETURN_IF_ERROR(Checkpoint().status());
      checkpoint_at_ = writer_->bytes_written() + kCheckpointBytes;
    }
    return Status::Ok();
  }

  Result<UploadStatus> Finish() override {
    COFFER_ASSIGN_OR_RETURN(uint64_t durable, Checkpoint());
    if (durable == static_cast<uint64_t>(row_.length)) {
      return owner_.Complete(principal_, context_, row_, *writer_);
    }
    return ResumableUploads::StatusOf(row_);
  }

  void Interrupted() override {
    auto durable = Checkpoint();
    if (!durable.ok()) {
      spdlog::warn("resumable upload {}: keeping an interrupted append failed: {}", row_.public_id,
                   durable.status().ToString());
      return;
    }
    // A complete body whose connection broke before the answer: commit it anyway,
    // so the next status request sees the upload finished.
    if (*durable == static_cast<uint64_t>(row_.length)) {
      (void)owner_.Complete(principal_, context_, row_, *writer_);
    }
  }

 private:
  // Makes what arrived durable, then records the offset (never the full length:
  // completion removes the row instead, so a crash before it resumes from the
  // last chunk boundary recorded).
  Result<uint64_t> Checkpoint() {
    COFFER_ASSIGN_OR_RETURN(uint64_t durable, writer_->Sync());
    if (durable == static_cast<uint64_t>(row_.length)) return durable;
    row_.received = static_cast<int64_t>(durable);
    row_.expires_at = owner_.NowSeconds() + owner_.config_.uploads.expiry_seconds;
    COFFER_RETURN_IF_ERROR(
        owner_.store_.UpdateUploadProgress(row_.id, row_.received, row_.expires_at));
    return durable;
  }

  ResumableUploads& owner_;
  Principal principal_;
  Context context_;
  store::UploadRow row_;
  std::unique_ptr<blob::PartialWriter> writer_;
  uint64_t checkpoint_at_;
};

ResumableUploads::ResumableUploads(const config::Config& config, store::MetadataStore& store,
                                   blob::BlobStore& blobs, ActivityLog& activity,
                                   FileService& files)
    : config_(config), store_(store), blobs_(blobs), activity_(activity), files_(files) {}

int64_t ResumableUploads::NowSeconds() const { return activity_.NowUs() / 1000000; }

UploadStatus ResumableUploads::StatusOf(const store::UploadRow& row) {
  UploadStatus s;
  s.id = row.public_id;
  s.path = row.path;
  s.length = static_cast<uint64_t>(row.length);
  s.offset = static_cast<uint64_t>(row.received);
  s.expires_at = row.expires_at;
  return s;
}

Result<UploadStatus> ResumableUploads::Create(const Principal& p, const Context& c,
                                              std::string_view path, uint64_t length) {
  Operation op(activity_, p, c, "upload.create", std::string(path));
  op.fact().bytes = static_cast<int64_t>(std::min<uint64_t>(length, INT64_MAX));
  auto run = [&]() -> Result<store::UploadRow> {
    if (length > config_.uploads.max_bytes) {
      return LimitExceeded("upload is larger than the limit of " +
                           std::to_string(config_.uploads.max_bytes) + " bytes");
    }
    UploadOptions options;
    options.declared_size = length;
    COFFER_ASSIGN_OR_RETURN(auto plan, files_.PlanUpload(op, p, path, options));
    const int64_t now = NowSeconds();
    COFFER_ASSIGN_OR_RETURN(int64_t open, store_.CountUploads(p.user_id, now));
    if (open >= int64_t{config_.uploads.max_open_per_user}) {
      return LimitExceeded(std::string(kTooManyOpen));
    }
    COFFER_ASSIGN_OR_RETURN(blob::PartialRef ref, blobs_.CreatePartial(length));
    store::UploadRow row;
    row.public_id = blob::BlobId::Random().Hex();
    row.user_id = p.user_id;
    row.path = plan.target.path;
    row.length = static_cast<int64_t>(length);
    row.blob_id_hex = ref.id.Hex();
    row.chunk_size = ref.chunk_size;
    row.key_id = ref.key.key_id;
    row.wrapped_key = ref.key.wrapped;
    row.created_at = now;
    row.expires_at = now + config_.uploads.expiry_seconds;
    op.fact().detail = "upload " + row.public_id;
    Status st = store_.Transact([&]() -> Status {
      COFFER_ASSIGN_OR_RETURN(row.id, store_.InsertUpload(row));
      op.fact().object_id = row.id;
      return op.AppendInTx();
    });
    if (!st.ok()) {
      (void)blobs_.RemovePartial(ref.id);
      return st;
    }
    return row;
  };
  COFFER_ASSIGN_OR_RETURN(store::UploadRow row, op.Finish(run()));
  if (length > 0) return StatusOf(row);
  // Nothing to wait for: an empty file is complete at once.
  if (!Claim(row.public_id)) return Conflict("the upload is busy");
  auto writer = blobs_.OpenPartial(PartialOf(row), 0);
  Result<UploadStatus> done = writer.ok() ? Complete(p, c, row, **writer) : writer.status();
  Release(row.public_id);
  return done;
}

Result<store::UploadRow> ResumableUploads::Load(const Principal& p, std::string_view id) {
  COFFER_ASSIGN_OR_RETURN(auto row, store_.FindUpload(id));
  // Another user's upload is indistinguishable from none.
  if (!row || row->user_id != p.user_id) return NotFound("no such upload");
  if (row->expires_at <= NowSeconds()) {
    std::lock_guard lock(mu_);
    if (!busy_.count(row->public_id)) {
      (void)Remove(*row, Principal::System(), {"system", "local", "uploads"}, "upload.expire");
    }
    return NotFound("no such upload");
  }
  return *row;
}

Result<UploadStatus> ResumableUploads::Get(const Principal& p, const Context& c,
                                           std::string_view id) {
  auto row = Load(p, id);
  if (row.ok()) return StatusOf(*row);
  Operation op(activity_, p, c, "upload.status", "");
  op.fact().detail = "upload " + std::string(id.substr(0, 64));
  return op.Finish(Result<UploadStatus>(row.status()));
}

Result<std::unique_ptr<UploadPatch>> ResumableUploads::BeginPatch(const Principal& p,
                                                                  const Context& c,
                                                                  std::string_view id,
                                                                  uint64_t offset) {
  Operation op(activity_, p, c, "upload.patch", "");
  op.fact().detail = "upload " + std::string(id.substr(0, 64));
  auto run = [&]() -> Result<std::unique_ptr<UploadPatch>> {
    COFFER_ASSIGN_OR_RETURN(store::UploadRow row, Load(p, id));
    op.fact().path = row.path;
    op.fact().object_id = row.id;
    if (!Claim(row.public_id)) return Conflict("another request is appending to this upload");
    // Read again now that it is ours: the offset may have moved meanwhile.
    auto fresh = Load(p, id);
    auto open = [&]() -> Result<std::unique_ptr<blob::PartialWriter>> {
      if (!fresh.ok()) return fresh.status();
      if (static_cast<uint64_t>(fresh->received) != offset) {
        return Conflict("the offset is not the upload's offset");
      }
      return blobs_.OpenPartial(PartialOf(*fresh), offset);
    };
    auto writer = open();
    if (!writer.ok()) {
      Release(row.public_id);
      if (fresh.ok() && writer.status().code() == Code::kNotFound) {
        // The content is gone (a crash while completing): the upload cannot go on.
        (void)Remove(*fresh, p, c, "upload.terminate");
        return NotFound("no such upload");
      }
      return writer.status();
    }
    return std::unique_ptr<UploadPatch>(
        new PatchImpl(*this, p, c, std::move(*fresh), std::move(*writer)));
  };
  auto r = run();
  if (r.ok()) return r;  // appends are not recorded; their completion is ("file.upload")
  return op.Finish(std::move(r));
}

Result<UploadStatus> ResumableUploads::Complete(const Principal& p, const Context& c,
                                                const store::UploadRow& row,
                                                blob::PartialWriter& writer) {
  auto synced = writer.Sync();  // a no-op after an append's own Sync; seals an empty file
  auto ref = synced.ok() ? writer.Finish() : Result<blob::BlobRef>(synced.status());
  // Whatever happens next, the upload is over: its content moved or is unusable.
  Status gone = store_.DeleteUpload(row.id);
  if (!gone.ok()) spdlog::warn("resumable upload {}: {}", row.public_id, gone.ToString());
  if (!ref.ok()) {
    (void)blobs_.RemovePartial(PartialOf(row).id);
    return ref.status();
  }
  COFFER_ASSIGN_OR_RETURN(EntryInfo info, files_.CommitBlob(p, c, row.path, *ref));
  UploadStatus s = StatusOf(row);
  s.offset = s.length;
  s.file = std::move(info);
  return s;
}

Status ResumableUploads::Terminate(const Principal& p, const Context& c, std::string_view id) {
  auto row = Load(p, id);
  if (row.ok() && !Claim(row->public_id))
    row = Conflict("another request is appending to this upload");
  if (!row.ok()) {
    Operation op(activity_, p, c, "upload.terminate", "");
    op.fact().detail = "upload " + std::string(id.substr(0, 64));
    return op.Finish(row.status());
  }
  Status st = Remove(*row, p, c, "upload.terminate");
  Release(row->public_id);
  return st;
}

Status ResumableUploads::Remove(const store::UploadRow& row, const Principal& p, const Context& c,
                                std::string_view action) {
  Operation op(activity_, p, c, std::string(action), row.path);
  op.fact().object_id = row.id;
  op.fact().bytes = row.received;
  op.fact().detail = "upload " + row.public_id;
  Status st = store_.Transact([&]() -> Status {
    COFFER_RETURN_IF_ERROR(store_.DeleteUpload(row.id));
    return op.AppendInTx();
  });
  if (st.ok()) {
    Status removed = blobs_.RemovePartial(PartialOf(row).id);
    if (!removed.ok() && removed.code() != Code::kNotFound) {
      spdlog::warn("resumable upload {}: content left behind: {}", row.public_id,
                   removed.ToString());
    }
  }
  return op.Finish(st);
}

Result<uint64_t> ResumableUploads::PurgeExpired(const Context& c) {
  uint64_t removed = 0;
  for (;;) {
    COFFER_ASSIGN_OR_RETURN(auto rows, store_.ListExpiredUploads(NowSeconds(), 100));
    uint64_t round = 0;
    for (const auto& row : rows) {
      if (!Claim(row.public_id)) continue;  // being appended to: not abandoned
      Status st = Remove(row, Principal::System(), c, "upload.expire");
      Release(row.public_id);
      if (st.ok()) ++round;
    }
    removed += round;
    if (rows.size() < 100 || round == 0) return removed;
  }
}

Result<uint64_t> ResumableUploads::SweepAtStart(const Context& c) {
  COFFER_ASSIGN_OR_RETURN(uint64_t removed, PurgeExpired(c));
  COFFER_ASSIGN_OR_RETURN(auto partials, blobs_.ListPartials());
  for (const auto& id : partials) {
    auto referenced = store_.PartialBlobReferenced(id.Hex());
    // When in doubt keep it.
    if (!referenced.ok() || *referenced) continue;
    if (blobs_.RemovePartial(id).ok()) ++removed;
  }
  return removed;
}

bool ResumableUploads::Claim(const std::string& id) {
  std::lock_guard lock(mu_);
  return busy_.insert(id).second;
}

void ResumableUploads::Release(const std::string& id) {
  std::lock_guard lock(mu_);
  busy_.erase(id);
}

}  // namespace coffer::service
