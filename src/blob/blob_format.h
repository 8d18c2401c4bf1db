// The on-disk format of one local blob file, shared by writer, reader and tests.
//
//   header  32 bytes: "CFBLOB\r\n" magic | u32 LE format version (1) |
//                     u32 LE chunk size | 16-byte blob id
//   chunk i ciphertext of min(chunk_size, size - i*chunk_size) plaintext bytes,
//           then a 16-byte AES-256-GCM tag; chunks follow each other with no gap
//
// A blob of `size` bytes has max(1, ceil(size / chunk_size)) chunks, so an empty
// blob is one final chunk with no ciphertext, and the file is exactly
// 32 + size + 16 * chunks bytes long. Chunk i is sealed under the blob's data key
// with nonce 0^32 || u64 BE i and associated data header || u64 LE i || u8 last,
// so the header, the position and the end of the blob are all authenticated.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "blob/blob_store.h"
#include "util/status.h"

namespace coffer::blob::format {

constexpr size_t kHeaderSize = 32;
constexpr uint32_t kVersion = 1;
constexpr size_t kTagSize = 16;
constexpr uint32_t kMinChunkSize = 64;
constexpr uint32_t kMaxChunkSize = 16 * 1024 * 1024;
// Far above any real file; keeps every offset computation clear of overflow.
constexpr uint64_t kMaxBlobSize = uint64_t{1} << 56;
constexpr size_t kAadSize = kHeaderSize + 9;

using Header = std::array<uint8_t, kHeaderSize>;
using Aad = std::array<uint8_t, kAadSize>;

Header EncodeHeader(const BlobId& id, uint32_t chunk_size);
Aad ChunkAad(const Header& header, uint64_t index, bool last);

// Where everything lies in the file of a blob of known size and chunk size.
class Layout {
 public:
  // kIntegrity if the pair cannot describe a blob (the values come from metadata).
  static Result<Layout> For(uint64_t size, uint32_t chunk_size);

  uint64_t size() const { return size_; }
  uint32_t chunk_size() const { return chunk_size_; }
  uint64_t chunk_count() const { return chunk_count_; }
  uint64_t file_size() const { return kHeaderSize + size_ + kTagSize * chunk_count_; }
  bool is_last(uint64_t index) const { return index + 1 == chunk_count_; }
  size_t plain_size(uint64_t index) const;        // plaintext bytes in chunk `index`
  uint64_t sealed_offset(uint64_t index) const {  // file offset of chunk `index`
    return kHeaderSize + index * (uint64_t{chunk_size_} + kTagSize);
  }

 private:
  uint64_t size_ = 0;
  uint32_t chunk_size_ = 0;
  uint64_t chunk_count_ = 0;
};

// objects/<prefix>/<id hex>: the prefix spreads blobs over 256 directories.
std::string PrefixOf(const BlobId& id);
bool IsPrefixName(std::string_view name);

}  // namespace coffer::blob::format
