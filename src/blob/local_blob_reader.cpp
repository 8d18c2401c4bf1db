// BlobReader for the local backend. Everything the reader trusts comes from the
// BlobRef (size, chunk size, id, wrapped key); the file must match it exactly:
// its length, its header and every chunk's tag, with the last-chunk flag set on
// the chunk the size says is last.
#include <algorithm>
#include <cstring>
#include <limits>

#include "blob/blob_format.h"
#include "blob/local_blob_files.h"
#include "crypto/chunk_cipher.h"

namespace coffer::blob {

namespace {

// Sealed bytes fetched per pread(2) when whole chunks are wanted.
constexpr size_t kReadBatch = 1024 * 1024;
constexpr uint64_t kNoChunk = std::numeric_limits<uint64_t>::max();

class LocalBlobReader final : public BlobReader {
 public:
  LocalBlobReader(std::shared_ptr<const LocalDirs> dirs, const BlobRef& ref, format::Layout layout,
                  crypto::ChunkCipher cipher, File file)
      : dirs_(std::move(dirs)),
        layout_(layout),
        header_(format::EncodeHeader(ref.id, ref.chunk_size)),
        cipher_(std::move(cipher)),
        file_(std::move(file)),
        sealed_(SealedBufferBytes(layout)),
        cache_(std::max<size_t>(1, std::min<uint64_t>(ref.chunk_size, layout.size()))) {}

  // A batch of sealed bytes, but never more than the blob holds: a reader is
  // opened for every download, and zeroing (and faulting in) megabytes for a
  // 4 KiB file was most of the CPU time of small downloads.
  static size_t SealedBufferBytes(const format::Layout& layout) {
    const uint64_t whole = layout.file_size() - format::kHeaderSize;
    const size_t batch = std::max(kReadBatch, size_t{layout.chunk_size()} + format::kTagSize);
    return static_cast<size_t>(std::max<uint64_t>(1, std::min<uint64_t>(batch, whole)));
  }

  // Checks what can be checked without decrypting: length and header. An empty
  // blob has nothing to decrypt later, so its one chunk is verified here.
  Status Verify() {
    COFFER_ASSIGN_OR_RETURN(FileInfo info, dirs_->env->Stat(file_));
    if (info.size != layout_.file_size()) return IntegrityError("stored blob has the wrong length");
    format::Header on_disk{};
    COFFER_ASSIGN_OR_RETURN(size_t n, dirs_->env->ReadAt(file_, 0, on_disk));
    if (n != on_disk.size() || on_disk != header_) {
      return IntegrityError("stored blob header does not match its reference");
    }
    if (layout_.size() == 0) return LoadChunk(0);
    return Status::Ok();
  }

  uint64_t size() const override { return layout_.size(); }

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    if (offset >= layout_.size() || out.empty()) return size_t{0};
    const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), layout_.size() - offset));
    Status s = Fill(offset, out.first(n));
    if (!s.ok()) {
      // Chunks already placed were authentic, but a failed call returns nothing.
      std::memset(out.data(), 0, n);
      return s;
    }
    return n;
  }

 private:
  Status Fill(uint64_t offset, std::span<uint8_t> out) {
    const uint32_t cs = layout_.chunk_size();
    size_t done = 0;
    while (done < out.size()) {
      const uint64_t pos = offset + done;
      const uint64_t index = pos / cs;
      const size_t within = static_cast<size_t>(pos % cs);
      const size_t plain = layout_.plain_size(index);
      if (within == 0 && out.size() - done >= plain) {
        COFFER_ASSIGN_OR_RETURN(size_t got, ReadWholeChunks(index, out.subspan(done)));
        done += got;
        continue;
      }
      COFFER_RETURN_IF_ERROR(LoadChunk(index));
      const size_t take = std::min(plain - within, out.size() - done);
      std::memcpy(out.data() + done, cache_.data() + within, take);
      done += take;
    }
    return Status::Ok();
  }

  // Decrypts as many whole chunks starting at `first` as fit in `out` and in one
  // batch, straight into `out`. Returns the plaintext bytes produced.
  Result<size_t> ReadWholeChunks(uint64_t first, std::span<uint8_t> out) {
    uint64_t count = 0;
    size_t plain_total = 0;
    size_t sealed_total = 0;
    for (uint64_t i = first; i < layout_.chunk_count(); ++i) {
      const size_t plain = layout_.plain_size(i);
      const size_t sealed = plain + format::kTagSize;
      if (plain_total + plain > out.size() || sealed_total + sealed > sealed_.size()) break;
      plain_total += plain;
      sealed_total += plain + format::kTagSize;
      ++count;
    }
    COFFER_RETURN_IF_ERROR(ReadSealed(first, sealed_total));
    size_t in = 0;
    size_t at = 0;
    for (uint64_t i = first; i < first + count; ++i) {
      const size_t plain = layout_.plain_size(i);
      COFFER_RETURN_IF_ERROR(
          Open(i, {sealed_.data() + in, plain + format::kTagSize}, out.subspan(at, plain)));
      in += plain + format::kTagSize;
      at += plain;
    }
    return plain_total;
  }

  Status LoadChunk(uint64_t index) {
    if (index == cached_) return Status::Ok();
    cached_ = kNoChunk;
    const size_t plain = layout_.plain_size(index);
    COFFER_RETURN_IF_ERROR(ReadSealed(index, plain + format::kTagSize));
    COFFER_RETURN_IF_ERROR(
        Open(index, {sealed_.data(), plain + format::kTagSize}, {cache_.data(), plain}));
    cached_ = index;
    return Status::Ok();
  }

  Status ReadSealed(uint64_t index, size_t bytes) {
    COFFER_ASSIGN_OR_RETURN(size_t got, dirs_->env->ReadAt(file_, layout_.sealed_offset(index),
                                                           {sealed_.data(), bytes}));
    // The length was checked at open; a shorter read means the file shrank since.
    if (got != bytes) return IntegrityError("stored blob is truncated");
    return Status::Ok();
  }

  Status Open(uint64_t index, ByteSpan sealed, std::span<uint8_t> out) {
    const auto aad = format::ChunkAad(header_, index, layout_.is_last(index));
    return cipher_.Open(index, aad, sealed, out);
  }

  std::shared_ptr<const LocalDirs> dirs_;
  const format::Layout layout_;
  const format::Header header_;
  crypto::ChunkCipher cipher_;
  File file_;
  Bytes sealed_;  // sealed bytes as read from the file
  Bytes cache_;   // plaintext of chunk `cached_`, for reads that start mid-chunk
  uint64_t cached_ = kNoChunk;
};

}  // namespace

Result<std::unique_ptr<BlobReader>> NewLocalBlobReader(std::shared_ptr<const LocalDirs> dirs,
                                                       const crypto::Keyring& keyring,
                                                       const BlobRef& ref) {
  COFFER_ASSIGN_OR_RETURN(format::Layout layout, format::Layout::For(ref.size, ref.chunk_size));
  COFFER_ASSIGN_OR_RETURN(crypto::SecretKey data_key, keyring.Unwrap(ref.key));
  COFFER_ASSIGN_OR_RETURN(crypto::ChunkCipher cipher, crypto::ChunkCipher::Create(data_key));
  Env* env = dirs->env;
  COFFER_ASSIGN_OR_RETURN(Dir prefix, env->OpenDir(dirs->objects, format::PrefixOf(ref.id)));
  COFFER_ASSIGN_OR_RETURN(File file, env->OpenForRead(prefix, ref.id.Hex()));
  auto reader = std::make_unique<LocalBlobReader>(std::move(dirs), ref, layout, std::move(cipher),
                                                  std::move(file));
  COFFER_RETURN_IF_ERROR(reader->Verify());
  return std::unique_ptr<BlobReader>(std::move(reader));
}

}  // namespace coffer::blob
