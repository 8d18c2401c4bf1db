#include "audit/signing_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace coffer::audit {

namespace {

constexpr size_t kSeedBytes = crypto_sign_SEEDBYTES;
constexpr size_t kMaxFileBytes = 256;

// Closes a descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

SigningKey::SigningKey(SigningKey&& other) noexcept
    : secret_(other.secret_), public_(other.public_) {
  sodium_memzero(other.secret_.data(), other.secret_.size());
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

Result<SigningKey> SigningKey::FromSeed(ByteSpan seed) {
  if (seed.size() != kSeedBytes) return IntegrityError("audit signing key is malformed");
  SigningKey key;
  crypto_sign_seed_keypair(key.public_.data(), key.secret_.data(), seed.data());
  return key;
}

Result<SigningKey> SigningKey::Create(const std::filesystem::path& keys_dir) {
  std::array<uint8_t, kSeedBytes> seed;
  randombytes_buf(seed.data(), seed.size());
  std::string text = ToHex(seed) + "\n";
  auto path = keys_dir / kSigningKeyFile;
  Fd f{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)};
  if (f.fd < 0) {
    if (errno == EEXIST) return AlreadyExists("audit signing key already exists");
    return IoError("cannot create " + path.string());
  }
  bool ok = ::write(f.fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(f.fd) == 0;
  sodium_memzero(text.data(), text.size());
  if (!ok) return IoError("cannot write " + path.string());
  Fd dir{::open(keys_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir.fd < 0 || ::fsync(dir.fd) != 0) return IoError("cannot sync " + keys_dir.string());
  auto key = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Result<SigningKey> SigningKey::Load(const std::filesystem::path& keys_dir) {
  auto path = keys_dir / kSigningKeyFile;
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
  if (f.fd < 0) {
    if (errno == ENOENT) return NotFound("audit signing key is missing");
    return IoError("cannot open " + path.string());
  }
  struct stat st;
  if (::fstat(f.fd, &st) != 0) return IoError("cannot stat " + path.string());
  if (!S_ISREG(st.st_mode) || (st.st_mode & 0077) != 0) {
    return IntegrityError("audit signing key is not a private regular file (mode 0600)");
  }
  std::string text(kMaxFileBytes, '\0');
  ssize_t n = ::read(f.fd, text.data(), text.size());
  if (n < 0) return IoError("cannot read " + path.string());
  text.resize(static_cast<size_t>(n));
  if (text.ends_with('\n')) text.pop_back();
  auto seed = FromHex(text);
  sodium_memzero(text.data(), text.size());
  if (!seed) return IntegrityError("audit signing key is malformed");
  auto key = FromSeed(*seed);
  sodium_memzero(seed->data(), seed->size());
  return key;
}

Signature SigningKey::Sign(ByteSpan message) const {
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

bool VerifySignature(const PublicKey& key, ByteSpan message, ByteSpan signature) {
  if (signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(),
                                     key.data()) == 0;
}

Result<PublicKey> ParsePublicKey(std::string_view hex) {
  auto bytes = FromHex(hex);
  PublicKey key;
  if (!bytes || bytes->size() != key.size()) {
    return InvalidArgument("a verification key is 64 hex digits");
  }
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

}  // namespace coffer::audit
