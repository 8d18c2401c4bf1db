// Sha256: streaming SHA-256 (OpenSSL EVP), for the plaintext digest that is
// stored with each blob and returned to clients for end-to-end checks.
// Update may be called any number of times before Finish; after Finish the object
// starts over as if new. Not thread-safe; one object per stream.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "util/bytes.h"
#include "util/status.h"

namespace coffer::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(ByteSpan data);
  // kInternal if OpenSSL failed at any step (it only does when out of memory).
  Result<Sha256Digest> Finish();

  static Result<Sha256Digest> Digest(ByteSpan data);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace coffer::crypto
