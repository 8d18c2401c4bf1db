#include "blob/blob_format.h"

#include <algorithm>
#include <cstring>

namespace coffer::blob::format {

namespace {

constexpr char kMagic[8] = {'C', 'F', 'B', 'L', 'O', 'B', '\r', '\n'};

void PutLe(uint8_t* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

Header EncodeHeader(const BlobId& id, uint32_t chunk_size) {
  Header h{};
  std::memcpy(h.data(), kMagic, sizeof kMagic);
  PutLe(h.data() + 8, kVersion, 4);
  PutLe(h.data() + 12, chunk_size, 4);
  std::copy(id.bytes.begin(), id.bytes.end(), h.begin() + 16);
  return h;
}

Aad ChunkAad(const Header& header, uint64_t index, bool last) {
  Aad aad{};
  std::copy(header.begin(), header.end(), aad.begin());
  PutLe(aad.data() + kHeaderSize, index, 8);
  aad[kHeaderSize + 8] = last ? 1 : 0;
  return aad;
}

Result<Layout> Layout::For(uint64_t size, uint32_t chunk_size) {
  if (chunk_size < kMinChunkSize || chunk_size > kMaxChunkSize) {
    return IntegrityError("blob reference has an impossible chunk size");
  }
  if (size > kMaxBlobSize) return IntegrityError("blob reference has an impossible size");
  Layout l;
  l.size_ = size;
  l.chunk_size_ = chunk_size;
  l.chunk_count_ = size == 0 ? 1 : (size + chunk_size - 1) / chunk_size;
  return l;
}

size_t Layout::plain_size(uint64_t index) const {
  if (!is_last(index)) return chunk_size_;
  return static_cast<size_t>(size_ - index * chunk_size_);
}

std::string PrefixOf(const BlobId& id) { return id.Hex().substr(0, 2); }

bool IsPrefixName(std::string_view name) {
  return name.size() == 2 && IsLowerHex(name[0]) && IsLowerHex(name[1]);
}

}  // namespace coffer::blob::format
