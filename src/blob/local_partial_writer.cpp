// PartialWriter for the local backend: a blob of known size written over several
// sessions into partial/<id>. The file always holds the header and whole sealed
// chunks in the blob format (blob_format.h); a chunk is sealed as soon as it is
// full (its index says whether it is the last one, since the size is known), so
// what Sync() makes durable can be reopened and appended to after a crash.
// Finish() renames the file into objects/ and hashes the plaintext by reading it
// back through the ordinary reader: the digest is of what is actually stored.
#include <algorithm>
#include <cstring>

#include "blob/blob_format.h"
#include "blob/local_blob_files.h"
#include "crypto/chunk_cipher.h"
#include "crypto/sha256.h"

namespace coffer::blob {

namespace {

constexpr size_t kWriteBatch = 1024 * 1024;
constexpr size_t kHashBatch = 1024 * 1024;

// Whether `durable` bytes include the sealed final chunk. An empty blob's one
// (empty) chunk is sealed by its first Sync, so at 0 it is not there yet.
bool Complete(const format::Layout& layout, uint64_t durable) {
  return durable == layout.size() && durable > 0;
}

// The file length of a partial blob holding `durable` plaintext bytes.
uint64_t FileSizeAt(const format::Layout& layout, uint64_t durable) {
  if (Complete(layout, durable)) return layout.file_size();
  return layout.sealed_offset(durable / layout.chunk_size());
}

class LocalPartialWriter final : public PartialWriter {
 public:
  LocalPartialWriter(std::shared_ptr<const LocalDirs> dirs, const crypto::Keyring& keyring,
                     const PartialRef& ref, format::Layout layout, crypto::ChunkCipher cipher,
                     File file, uint64_t durable)
      : dirs_(std::move(dirs)),
        keyring_(keyring),
        ref_(ref),
        layout_(layout),
        header_(format::EncodeHeader(ref.id, ref.chunk_size)),
        cipher_(std::move(cipher)),
        file_(std::move(file)),
        written_(durable),
        synced_(durable),
        chunk_index_(Complete(layout, durable) ? layout.chunk_count() : durable / ref.chunk_size),
        pending_(ref.chunk_size),
        out_(std::max(kWriteBatch, size_t{ref.chunk_size} + format::kTagSize)) {}

  Status Write(std::span<const uint8_t> data) override {
    if (failed_) return FailedPrecondition("the upload failed earlier");
    if (data.size() > layout_.size() - written_)
      return LimitExceeded("more than the declared size");
    written_ += data.size();
    while (!data.empty()) {
      const size_t n = std::min(data.size(), size_t{ref_.chunk_size} - pending_len_);
      std::memcpy(pending_.data() + pending_len_, data.data(), n);
      pending_len_ += n;
      data = data.subspan(n);
      if (pending_len_ == ref_.chunk_size || ChunkStart() + pending_len_ == layout_.size()) {
        Status s = SealPending();
        if (!s.ok()) return Fail(s);
      }
    }
    return Status::Ok();
  }

  uint64_t bytes_written() const override { return written_; }

  Result<uint64_t> Sync() override {
    if (failed_) return FailedPrecondition("the upload failed earlier");
    if (layout_.size() == 0 && chunk_index_ == 0) {
      Status s = SealPending();  // the one empty final chunk
      if (!s.ok()) return Fail(s);
    }
    Status s = Flush();
    if (s.ok()) s = dirs_->env->Sync(file_);
    if (!s.ok()) return Fail(s);
    synced_ = ChunkStart() >= layout_.size() ? layout_.size() : ChunkStart();
    return synced_;
  }

  Result<BlobRef> Finish() override {
    if (failed_ || synced_ != layout_.size() || !file_.valid()) {
      return FailedPrecondition("the upload is not complete");
    }
    Env* env = dirs_->env;
    file_ = File();
    COFFER_ASSIGN_OR_RETURN(Dir prefix, env->OpenDir(dirs_->objects, format::PrefixOf(ref_.id)));
    COFFER_RETURN_IF_ERROR(
        env->Rename(dirs_->partial, ref_.id.Hex(), prefix, ref_.id.Hex(), false));
    COFFER_RETURN_IF_ERROR(env->SyncDir(prefix));
    COFFER_RETURN_IF_ERROR(env->SyncDir(dirs_->partial));
    BlobRef ref;
    ref.id = ref_.id;
    ref.size = ref_.size;
    ref.chunk_size = ref_.chunk_size;
    ref.key = ref_.key;
    COFFER_ASSIGN_OR_RETURN(ref.sha256, HashStored(ref));
    return ref;
  }

 private:
  uint64_t ChunkStart() const { return chunk_index_ * uint64_t{ref_.chunk_size}; }

  Status Fail(Status s) {
    failed_ = true;
    return s;
  }

  Status SealPending() {
    const size_t sealed = pending_len_ + format::kTagSize;
    if (out_len_ + sealed > out_.size()) COFFER_RETURN_IF_ERROR(Flush());
    const bool last = layout_.is_last(chunk_index_);
    const auto aad = format::ChunkAad(header_, chunk_index_, last);
    COFFER_RETURN_IF_ERROR(cipher_.Seal(chunk_index_, aad, {pending_.data(), pending_len_},
                                        {out_.data() + out_len_, sealed}));
    out_len_ += sealed;
    pending_len_ = 0;
    ++chunk_index_;
    return Status::Ok();
  }

  Status Flush() {
    if (out_len_ == 0) return Status::Ok();
    COFFER_RETURN_IF_ERROR(dirs_->env->Append(file_, {out_.data(), out_len_}));
    out_len_ = 0;
    return Status::Ok();
  }

  Result<crypto::Sha256Digest> HashStored(const BlobRef& ref) {
    COFFER_ASSIGN_OR_RETURN(auto reader, NewLocalBlobReader(dirs_, keyring_, ref));
    crypto::Sha256 sha;
    Bytes buf(kHashBatch);
    uint64_t at = 0;
    while (at < ref.size) {
      COFFER_ASSIGN_OR_RETURN(size_t n, reader->ReadAt(at, buf));
      if (n == 0) return IntegrityError("stored blob ended early");
      sha.Update({buf.data(), n});
      at += n;
    }
    return sha.Finish();
  }

  std::shared_ptr<const LocalDirs> dirs_;
  const crypto::Keyring& keyring_;
  const PartialRef ref_;
  const format::Layout layout_;
  const format::Header header_;
  crypto::ChunkCipher cipher_;
  File file_;
  uint64_t written_;
  uint64_t synced_;
  uint64_t chunk_index_;  // of the chunk being filled
  Bytes pending_;         // its plaintext so far
  size_t pending_len_ = 0;
  Bytes out_;  // sealed bytes not yet appended
  size_t out_len_ = 0;
  bool failed_ = false;
};

}  // namespace

Result<PartialRef> NewLocalPartial(std::shared_ptr<const LocalDirs> dirs,
                                   const crypto::Keyring& keyring, uint64_t size,
                                   uint32_t chunk_size) {
  COFFER_RETURN_IF_ERROR(format::Layout::For(size, chunk_size).status());
  PartialRef ref;
  ref.id = BlobId::Random();
  ref.size = size;
  ref.chunk_size = chunk_size;
  COFFER_ASSIGN_OR_RETURN(ref.key, keyring.Wrap(crypto::SecretKey::Random()));
  Env* env = dirs->env;
  COFFER_ASSIGN_OR_RETURN(File file, env->CreateExclusive(dirs->partial, ref.id.Hex()));
  const format::Header header = format::EncodeHeader(ref.id, chunk_size);
  Status s = env->Append(file, header);
  if (s.ok()) s = env->Sync(file);
  if (s.ok()) s = env->SyncDir(dirs->partial);
  if (!s.ok()) {
    (void)env->Unlink(dirs->partial, ref.id.Hex());
    return s;
  }
  return ref;
}

Result<std::unique_ptr<PartialWriter>> OpenLocalPartial(std::shared_ptr<const LocalDirs> dirs,
                                                        const crypto::Keyring& keyring,
                                                        const PartialRef& ref, uint64_t durable) {
  COFFER_ASSIGN_OR_RETURN(format::Layout layout, format::Layout::For(ref.size, ref.chunk_size));
  if (durable > ref.size || (durable != ref.size && durable % ref.chunk_size != 0)) {
    return IntegrityError("the durable offset is not a chunk boundary");
  }
  COFFER_ASSIGN_OR_RETURN(crypto::SecretKey data_key, keyring.Unwrap(ref.key));
  COFFER_ASSIGN_OR_RETURN(crypto::ChunkCipher cipher, crypto::ChunkCipher::Create(data_key));
  Env* env = dirs->env;
  auto file = env->OpenTruncated(dirs->partial, ref.id.Hex(), FileSizeAt(layout, durable));
  if (!file.ok() && file.status().code() == Code::kFailedPrecondition) {
    return IntegrityError("the partial blob is shorter than its durable offset");
  }
  if (!file.ok()) return file.status();
  return std::unique_ptr<PartialWriter>(std::make_unique<LocalPartialWriter>(
      std::move(dirs), keyring, ref, layout, std::move(cipher), std::move(*file), durable));
}

}  // namespace coffer::blob
