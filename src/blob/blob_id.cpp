#include <sodium.h>

#include "blob/blob_store.h"
#include "util/bytes.h"

namespace coffer::blob {

BlobId BlobId::Random() {
  BlobId id;
  randombytes_buf(id.bytes.data(), id.bytes.size());
  return id;
}

Result<BlobId> BlobId::FromHex(std::string_view hex) {
  const bool lower = hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  auto bytes = lower ? coffer::FromHex(hex) : std::nullopt;
  if (!bytes || bytes->size() != 16) return InvalidArgument("not a blob id");
  BlobId id;
  std::copy(bytes->begin(), bytes->end(), id.bytes.begin());
  return id;
}

std::string BlobId::Hex() const { return ToHex(bytes); }

}  // namespace coffer::blob
