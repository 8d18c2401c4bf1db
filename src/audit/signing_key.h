// SigningKey: the Ed25519 key that signs audit checkpoints. It lives in
// <keys>/audit-signing.key (mode 0600, beside the master keys), never in the
// database, so an attacker who can write the database cannot sign a rewritten
// chain. The file holds the 32-byte seed in hex; the public key is derived.
// Immutable after loading; Sign is thread-safe.
#pragma once

#include <sodium.h>

#include <array>
#include <filesystem>
#include <string>

#include "util/bytes.h"
#include "util/status.h"

namespace coffer::audit {

inline constexpr std::string_view kSigningKeyFile = "audit-signing.key";
using PublicKey = std::array<uint8_t, crypto_sign_PUBLICKEYBYTES>;
using Signature = std::array<uint8_t, crypto_sign_BYTES>;

class SigningKey {
 public:
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  SigningKey(SigningKey&& other) noexcept;
  ~SigningKey();  // wipes the secret key

  // Writes a new key file (O_EXCL, 0600, fsync'd, then the directory fsync'd).
  // kAlreadyExists if the file is there.
  static Result<SigningKey> Create(const std::filesystem::path& keys_dir);
  // kNotFound if absent; kIntegrity if malformed or readable by others.
  static Result<SigningKey> Load(const std::filesystem::path& keys_dir);

  const PublicKey& public_key() const { return public_; }
  Signature Sign(ByteSpan message) const;

 private:
  SigningKey() = default;
  static Result<SigningKey> FromSeed(ByteSpan seed);
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> secret_{};
  PublicKey public_{};
};

bool VerifySignature(const PublicKey& key, ByteSpan message, ByteSpan signature);
// 64 hex digits → key; kInvalidArgument otherwise.
Result<PublicKey> ParsePublicKey(std::string_view hex);

}  // namespace coffer::audit
