// BlobWriter for the local backend: seals chunks as plaintext streams in,
// batches sealed chunks into large writes, and commits with
// fsync(file) -> rename into objects/<prefix>/ -> fsync(that directory).
#include <algorithm>
#include <cstring>

#include "blob/blob_format.h"
#include "blob/local_blob_files.h"
#include "blob/pipelined_sha256.h"
#include "blob/write_behind.h"
#include "crypto/chunk_cipher.h"

namespace coffer::blob {

namespace {

// Sealed bytes gathered before one write(2): large enough that the system call
// cost vanishes next to the copy, small enough to stay in cache.
constexpr size_t kWriteBatch = 1024 * 1024;

class LocalBlobWriter final : public BlobWriter {
 public:
  LocalBlobWriter(std::shared_ptr<const LocalDirs> dirs, const BlobStoreOptions& options, BlobId id,
                  crypto::WrappedKey key, crypto::ChunkCipher cipher)
      : dirs_(std::move(dirs)),
        max_bytes_(options.max_blob_bytes),
        chunk_size_(options.chunk_size),
        id_(id),
        header_(format::EncodeHeader(id, options.chunk_size)),
        key_(std::move(key)),
        cipher_(std::move(cipher)),
        temp_name_(BlobId::Random().Hex() + ".tmp"),
        pending_(chunk_size_),
        out_(std::max(kWriteBatch, size_t{chunk_size_} + format::kTagSize)) {}

  ~LocalBlobWriter() override {
    if (state_ != State::kFinished) Discard();
  }

  // Creates the temporary file and stages the header.
  Status Start() {
    COFFER_ASSIGN_OR_RETURN(file_, dirs_->env->CreateExclusive(dirs_->tmp, temp_name_));
    created_ = true;
    std::memcpy(out_.data(), header_.data(), header_.size());
    out_len_ = header_.size();
    return Status::Ok();
  }

  Status Write(std::span<const uint8_t> data) override {
    if (state_ != State::kOpen) return FailedPrecondition("the upload is already closed");
    if (data.size() > max_bytes_ - written_) return LimitExceeded("file is too large");
    sha_.Update(data);
    written_ += data.size();
    Status s = Absorb(data);
    if (!s.ok()) state_ = State::kFailed;
    return s;
  }

  uint64_t bytes_written() const override { return written_; }

  Result<BlobRef> Finish() override {
    if (state_ != State::kOpen) return FailedPrecondition("the upload is already closed");
    state_ = State::kFailed;  // until every step below has succeeded
    COFFER_ASSIGN_OR_RETURN(auto digest, sha_.Finish());
    COFFER_RETURN_IF_ERROR(SealChunk({pending_.data(), pending_len_}, /*last=*/true));
    COFFER_RETURN_IF_ERROR(Flush());
    COFFER_RETURN_IF_ERROR(Commit());
    state_ = State::kFinished;
    BlobRef ref;
    ref.id = id_;
    ref.size = written_;
    ref.sha256 = digest;
    ref.chunk_size = chunk_size_;
    ref.key = key_;
    return ref;
  }

 private:
  enum class State { kOpen, kFailed, kFinished };

  // A full pending chunk is sealed only once more data arrives, because until
  // then it may turn out to be the last one.
  Status Absorb(ByteSpan data) {
    while (!data.empty()) {
      if (pending_len_ == chunk_size_) {
        COFFER_RETURN_IF_ERROR(SealChunk(pending_, /*last=*/false));
        pending_len_ = 0;
      }
      if (pending_len_ == 0 && data.size() > chunk_size_) {
        COFFER_RETURN_IF_ERROR(SealChunk(data.first(chunk_size_), /*last=*/false));
        data = data.subspan(chunk_size_);
        continue;
      }
      const size_t n = std::min(data.size(), chunk_size_ - pending_len_);
      std::memcpy(pending_.data() + pending_len_, data.data(), n);
      pending_len_ += n;
      data = data.subspan(n);
    }
    return Status::Ok();
  }

  Status SealChunk(ByteSpan plain, bool last) {
    const size_t sealed = plain.size() + format::kTagSize;
    if (out_len_ + sealed > out_.size()) COFFER_RETURN_IF_ERROR(Flush());
    const auto aad = format::ChunkAad(header_, chunk_index_, last);
    COFFER_RETURN_IF_ERROR(
        cipher_.Seal(chunk_index_, aad, plain, {out_.data() + out_len_, sealed}));
    out_len_ += sealed;
    ++chunk_index_;
    return Status::Ok();
  }

  Status Flush() {
    if (out_len_ == 0) return Status::Ok();
    COFFER_RETURN_IF_ERROR(write_behind_.Hand(out_, out_len_));
    out_len_ = 0;
    return Status::Ok();
  }

  // The commit protocol. Each step that fails leaves state that Discard() or,
  // after a crash, SweepOrphans() removes.
  Status Commit() {
    Env* env = dirs_->env;
    COFFER_RETURN_IF_ERROR(write_behind_.Drain());
    COFFER_RETURN_IF_ERROR(env->Sync(file_));
    file_ = File();
    COFFER_ASSIGN_OR_RETURN(Dir prefix, env->OpenDir(dirs_->objects, format::PrefixOf(id_)));
    COFFER_RETURN_IF_ERROR(env->Rename(dirs_->tmp, temp_name_, prefix, id_.Hex(), false));
    renamed_ = true;
    return env->SyncDir(prefix);
  }

  // Best effort: a leftover is an orphan that the next sweep removes.
  void Discard() {
    Env* env = dirs_->env;
    (void)write_behind_.Drain();  // the helper must be done with the file
    file_ = File();
    if (renamed_) {
      auto prefix = env->OpenDir(dirs_->objects, format::PrefixOf(id_));
      if (prefix.ok() && env->Unlink(*prefix, id_.Hex()).ok()) (void)env->SyncDir(*prefix);
    } else if (created_) {
      (void)env->Unlink(dirs_->tmp, temp_name_);
    }
  }

  std::shared_ptr<const LocalDirs> dirs_;
  const uint64_t max_bytes_;
  const uint32_t chunk_size_;
  const BlobId id_;
  const format::Header header_;
  const crypto::WrappedKey key_;
  crypto::ChunkCipher cipher_;
  PipelinedSha256 sha_;
  const std::string temp_name_;
  File file_;
  bool created_ = false;
  bool renamed_ = false;
  State state_ = State::kOpen;
  uint64_t written_ = 0;
  uint64_t chunk_index_ = 0;
  Bytes pending_;  // plaintext of the chunk being filled
  size_t pending_len_ = 0;
  Bytes out_;  // sealed bytes not yet handed to write_behind_
  size_t out_len_ = 0;
  WriteBehind write_behind_{dirs_->env, &file_};  // after file_: stops before it closes
};

}  // namespace

Result<std::unique_ptr<BlobWriter>> NewLocalBlobWriter(std::shared_ptr<const LocalDirs> dirs,
                                                       const crypto::Keyring& keyring,
                                                       const BlobStoreOptions& options) {
  const crypto::SecretKey data_key = crypto::SecretKey::Random();
  COFFER_ASSIGN_OR_RETURN(crypto::WrappedKey wrapped, keyring.Wrap(data_key));
  COFFER_ASSIGN_OR_RETURN(crypto::ChunkCipher cipher, crypto::ChunkCipher::Create(data_key));
  auto writer = std::make_unique<LocalBlobWriter>(std::move(dirs), options, BlobId::Random(),
                                                  std::move(wrapped), std::move(cipher));
  COFFER_RETURN_IF_ERROR(writer->Start());
  return std::unique_ptr<BlobWriter>(std::move(writer));
}

}  // namespace coffer::blob
