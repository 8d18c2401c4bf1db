#include "crypto/chunk_cipher.h"

#include <openssl/evp.h>

#include <array>
#include <climits>
#include <cstring>

namespace coffer::crypto {

namespace {

constexpr size_t kNonceSize = 12;

std::array<uint8_t, kNonceSize> NonceFor(uint64_t counter) {
  std::array<uint8_t, kNonceSize> nonce{};
  for (int i = 0; i < 8; ++i) nonce[kNonceSize - 1 - i] = static_cast<uint8_t>(counter >> (8 * i));
  return nonce;
}

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }  // cleanses the key
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

// Sets up a context with the key once; later calls only change the nonce.
CtxPtr NewKeyedContext(const SecretKey& key, bool encrypt) {
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return nullptr;
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.bytes().data(), nullptr, encrypt) != 1) {
    return nullptr;
  }
  return ctx;
}

bool Fits(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

}  // namespace

struct ChunkCipher::Ctx {
  CtxPtr seal;
  CtxPtr open;
};

ChunkCipher::ChunkCipher(std::unique_ptr<Ctx> ctx) : ctx_(std::move(ctx)) {}
ChunkCipher::~ChunkCipher() = default;
ChunkCipher::ChunkCipher(ChunkCipher&&) noexcept = default;
ChunkCipher& ChunkCipher::operator=(ChunkCipher&&) noexcept = default;

Result<ChunkCipher> ChunkCipher::Create(const SecretKey& key) {
  auto ctx = std::make_unique<Ctx>();
  ctx->seal = NewKeyedContext(key, true);
  ctx->open = NewKeyedContext(key, false);
  if (!ctx->seal || !ctx->open) return InternalError("cannot set up AES-256-GCM");
  return ChunkCipher(std::move(ctx));
}

Status ChunkCipher::Seal(uint64_t counter, ByteSpan aad, ByteSpan plaintext,
                         std::span<uint8_t> out) {
  if (out.size() != plaintext.size() + kTagSize || !Fits(plaintext.size()) || !Fits(aad.size())) {
    return InternalError("chunk buffer has the wrong size");
  }
  EVP_CIPHER_CTX* c = ctx_->seal.get();
  const auto nonce = NonceFor(counter);
  int len = 0;
  int final_len = 0;
  bool ok =
      EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
      EVP_EncryptUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(c, out.data(), &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) == 1 &&
      static_cast<size_t>(len) == plaintext.size() &&
      EVP_EncryptFinal_ex(c, out.data() + len, &final_len) == 1 && final_len == 0 &&
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kTagSize, out.data() + plaintext.size()) == 1;
  if (!ok) return InternalError("AES-256-GCM sealing failed");
  return Status::Ok();
}

Status ChunkCipher::Open(uint64_t counter, ByteSpan aad, ByteSpan sealed, std::span<uint8_t> out) {
  if (sealed.size() < kTagSize) return IntegrityError("sealed chunk is too short");
  const size_t n = sealed.size() - kTagSize;
  if (out.size() != n || !Fits(n) || !Fits(aad.size())) {
    return InternalError("chunk buffer has the wrong size");
  }
  EVP_CIPHER_CTX* c = ctx_->open.get();
  const auto nonce = NonceFor(counter);
  // OpenSSL wants a writable tag buffer.
  std::array<uint8_t, kTagSize> tag;
  std::memcpy(tag.data(), sealed.data() + n, kTagSize);
  int len = 0;
  int final_len = 0;
  bool ok = EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
            EVP_DecryptUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(c, out.data(), &len, sealed.data(), static_cast<int>(n)) == 1 &&
            static_cast<size_t>(len) == n &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(c, out.data() + len, &final_len) == 1 && final_len == 0;
  if (!ok) {
    if (!out.empty()) std::memset(out.data(), 0, out.size());
    return IntegrityError("stored content failed authentication");
  }
  return Status::Ok();
}

}  // namespace coffer::crypto
