// Keyring: the master key-encryption keys (KEKs) and the row-MAC key, kept in key
// files under <data>/keys (directory 0700, files 0600), never in the database
// (THREAT-MODEL invariant 6, 7).
//
// Files:
//   keys/kek-<id>.key   one KEK each (id is a positive decimal integer)
//   keys/current        the id of the KEK that wraps new data keys
//   keys/row-mac.key    the row-MAC key
// Several KEKs may exist at once during rotation; a data key records the id of
// the KEK that wrapped it. Wrapping is XChaCha20-Poly1305 with a random nonce and
// the key id bound as associated data, so a wrapped key altered or moved to
// another key id fails to unwrap with kIntegrity.
// Thread-safe for concurrent Wrap/Unwrap; AddKey/RetireKey are for the admin CLI.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <vector>

#include "crypto/secret.h"
#include "util/bytes.h"
#include "util/status.h"

namespace coffer::crypto {

struct WrappedKey {
  uint32_t key_id = 0;
  Bytes wrapped;  // nonce || ciphertext || tag
};

class Keyring {
 public:
  // Creates keys/ with a first KEK (id 1) and a row-MAC key. Fails with
  // kAlreadyExists if any key file is already there.
  static Result<Keyring> Create(const std::filesystem::path& keys_dir);
  // Loads every key file; kFailedPrecondition if the directory or a key is missing,
  // kIntegrity if a key file is malformed or has permissions wider than 0600.
  static Result<Keyring> Load(const std::filesystem::path& keys_dir);

  uint32_t current_id() const { return current_id_; }
  std::vector<uint32_t> key_ids() const;
  const SecretKey& row_mac_key() const { return row_mac_key_; }

  Result<WrappedKey> Wrap(const SecretKey& data_key) const;  // with the current KEK
  Result<SecretKey> Unwrap(const WrappedKey& wrapped) const;

  // Rotation: writes kek-<max+1>.key (fsync'd), then points `current` at it.
  Result<uint32_t> AddKey();
  // Deletes a KEK file that is not current. The caller must first have rewrapped
  // every data key that uses it.
  Status RetireKey(uint32_t key_id);

 private:
  std::filesystem::path dir_;
  uint32_t current_id_ = 0;
  std::map<uint32_t, SecretKey> keks_;
  SecretKey row_mac_key_;
};

}  // namespace coffer::crypto
