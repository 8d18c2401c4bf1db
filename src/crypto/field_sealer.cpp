#include "crypto/field_sealer.h"

#include <sodium.h>

#include <array>
#include <cstring>

namespace coffer::crypto {

namespace {
SecretKey Derive(const SecretKey& master, uint64_t id, std::string_view purpose) {
  char context[crypto_kdf_CONTEXTBYTES] = {};
  std::memcpy(context, purpose.data(), std::min(purpose.size(), sizeof context));
  std::array<uint8_t, SecretKey::kSize> sub{};
  crypto_kdf_derive_from_key(sub.data(), sub.size(), id, context, master.bytes().data());
  SecretKey key(sub);
  sodium_memzero(sub.data(), sub.size());
  return key;
}
}  // namespace

FieldSealer::FieldSealer(const SecretKey& master, std::string_view purpose)
    : seal_key_(Derive(master, 1, purpose)), hash_key_(Derive(master, 2, purpose)) {}

Bytes FieldSealer::Seal(ByteSpan plaintext, std::string_view associated) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  Bytes out(kNonce + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  randombytes_buf(out.data(), kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out.data() + kNonce, &len, plaintext.data(), plaintext.size(),
      reinterpret_cast<const uint8_t*>(associated.data()), associated.size(), nullptr, out.data(),
      seal_key_.bytes().data());
  out.resize(kNonce + len);
  return out;
}

Result<Bytes> FieldSealer::Open(ByteSpan sealed, std::string_view associated) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed.size() < kNonce + kTag || sealed.size() > 4096) {
    return IntegrityError("sealed value has a wrong size");
  }
  Bytes out(sealed.size() - kNonce - kTag);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out.data(), &len, nullptr, sealed.data() + kNonce, sealed.size() - kNonce,
          reinterpret_cast<const uint8_t*>(associated.data()), associated.size(), sealed.data(),
          seal_key_.bytes().data()) != 0) {
    return IntegrityError("sealed value failed authentication");
  }
  out.resize(len);
  return out;
}

std::string FieldSealer::KeyedHash(std::string_view value) const {
  uint8_t h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const uint8_t*>(value.data()), value.size(),
                     hash_key_.bytes().data(), hash_key_.bytes().size());
  return ToHex(h);
}

}  // namespace coffer::crypto
