// FieldSealer: encrypts small secrets kept in database columns (e.g. TOTP
// seeds) and makes keyed hashes of high-entropy values (recovery codes), so a
// copy of the database alone reveals neither (THREAT-MODEL invariant 6).
//
// The key is derived with libsodium's crypto_kdf from key material kept outside
// the database (the row-MAC key) and an 8-character purpose, so each purpose
// has its own key and the MAC key itself is never used for encryption.
// Sealing is XChaCha20-Poly1305 with a random nonce; the caller's associated
// data (e.g. "mfa/v1|<user id>") binds a sealed value to its row, so a value
// copied to another row fails to open.
// Thread-safe: immutable after construction.
#pragma once

#include <string>
#include <string_view>

#include "crypto/secret.h"
#include "util/bytes.h"
#include "util/status.h"

namespace coffer::crypto {

class FieldSealer {
 public:
  // `purpose` is exactly 8 characters (crypto_kdf context).
  FieldSealer(const SecretKey& master, std::string_view purpose);

  Bytes Seal(ByteSpan plaintext, std::string_view associated) const;  // nonce || ct || tag
  // kIntegrity if the value was altered, moved to other associated data or sealed
  // under another key.
  Result<Bytes> Open(ByteSpan sealed, std::string_view associated) const;
  // BLAKE2b-256 keyed with a second derived key, in hex. For values with enough
  // entropy that a fast hash is safe (random codes), never for passwords.
  std::string KeyedHash(std::string_view value) const;

 private:
  SecretKey seal_key_;
  SecretKey hash_key_;
};

}  // namespace coffer::crypto
