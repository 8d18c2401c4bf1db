// ChunkCipher: AES-256-GCM seal/open of one chunk at a time under one key, with
// one reused OpenSSL context (the key schedule is computed once, not per chunk).
//
// The 96-bit nonce is derived from a 64-bit counter (4 zero bytes || counter, big
// endian). That is safe only because every key seals each counter value at most
// once: the blob store gives each blob a fresh random key and uses the chunk index
// as the counter. Callers bind everything else that must not be moved or swapped
// (blob id, chunk index, last-chunk flag) into the associated data.
//
// Open authenticates before it reports success; on failure it returns kIntegrity
// and zeroes `out`, so unauthenticated plaintext never escapes.
// Not thread-safe; one object per reader or writer. The key is wiped on destruction.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "crypto/secret.h"
#include "util/bytes.h"
#include "util/status.h"

namespace coffer::crypto {

class ChunkCipher {
 public:
  static constexpr size_t kTagSize = 16;

  static Result<ChunkCipher> Create(const SecretKey& key);
  ~ChunkCipher();
  ChunkCipher(ChunkCipher&&) noexcept;
  ChunkCipher& operator=(ChunkCipher&&) noexcept;

  // Writes ciphertext || tag to `out`, which must hold plaintext.size() + kTagSize.
  Status Seal(uint64_t counter, ByteSpan aad, ByteSpan plaintext, std::span<uint8_t> out);
  // Reads ciphertext || tag from `sealed`; writes sealed.size() - kTagSize bytes to
  // `out` (which must hold that many). kIntegrity if anything fails to authenticate.
  Status Open(uint64_t counter, ByteSpan aad, ByteSpan sealed, std::span<uint8_t> out);

 private:
  struct Ctx;
  explicit ChunkCipher(std::unique_ptr<Ctx> ctx);
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace coffer::crypto
