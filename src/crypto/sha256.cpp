#include "crypto/sha256.h"

#include <openssl/evp.h>

namespace coffer::crypto {

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  bool failed = false;
  ~Ctx() { EVP_MD_CTX_free(md); }
  void Start() {
    if (md == nullptr) md = EVP_MD_CTX_new();
    failed = md == nullptr || EVP_DigestInit_ex(md, EVP_sha256(), nullptr) != 1;
  }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) { ctx_->Start(); }
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Update(ByteSpan data) {
  if (ctx_->failed || data.empty()) return;
  ctx_->failed = EVP_DigestUpdate(ctx_->md, data.data(), data.size()) != 1;
}

Result<Sha256Digest> Sha256::Finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  bool ok =
      !ctx_->failed && EVP_DigestFinal_ex(ctx_->md, out.data(), &len) == 1 && len == out.size();
  ctx_->Start();
  if (!ok) return InternalError("SHA-256 failed");
  return out;
}

Result<Sha256Digest> Sha256::Digest(ByteSpan data) {
  Sha256 h;
  h.Update(data);
  return h.Finish();
}

}  // namespace coffer::crypto
