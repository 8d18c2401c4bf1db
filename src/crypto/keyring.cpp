#include "crypto/keyring.h"

#include <sodium.h>
#include <sys/stat.h>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "util/env.h"

namespace coffer::crypto {

namespace {

constexpr std::string_view kCurrentName = "current";
constexpr std::string_view kRowMacName = "row-mac.key";
constexpr std::string_view kKekPrefix = "kek-";
constexpr std::string_view kKekSuffix = ".key";
// Temporary files are "<final name>.tmp-<random hex>"; Load ignores them and
// AddKey removes leftovers of an interrupted run.
constexpr std::string_view kTempMarker = ".tmp-";
constexpr size_t kMaxKeyFileBytes = 256;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kWrappedBytes =
    kNonceBytes + SecretKey::kSize + crypto_aead_xchacha20poly1305_ietf_ABYTES;

std::string KekName(uint32_t id) {
  return std::string(kKekPrefix) + std::to_string(id) + std::string(kKekSuffix);
}

// Parses a positive decimal without sign or leading zeros.
std::optional<uint32_t> ParseId(std::string_view text) {
  if (text.empty() || text[0] == '0') return std::nullopt;
  uint32_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

std::optional<uint32_t> KekIdFromName(std::string_view name) {
  if (!name.starts_with(kKekPrefix) || !name.ends_with(kKekSuffix)) return std::nullopt;
  name.remove_prefix(kKekPrefix.size());
  name.remove_suffix(kKekSuffix.size());
  return ParseId(name);
}

std::string_view TrimNewline(std::string_view s) {
  if (s.ends_with('\n')) s.remove_suffix(1);
  return s;
}

Status CheckPrivate(const FileInfo& info, mode_t allowed, std::string_view what) {
  if ((info.mode & 0777 & ~allowed) != 0) {
    return IntegrityError(std::string(what) + " is readable or writable by other users");
  }
  return Status::Ok();
}

// Reads a small private key file; kIntegrity if it is too loose, too big or not a file.
Result<std::string> ReadKeyFile(Env* env, const Dir& dir, std::string_view name) {
  auto file = env->OpenForRead(dir, name);
  if (!file.ok()) {
    if (file.status().code() == Code::kNotFound) {
      return FailedPrecondition("key file " + std::string(name) + " is missing");
    }
    return file.status();
  }
  COFFER_ASSIGN_OR_RETURN(FileInfo info, env->Stat(*file));
  COFFER_RETURN_IF_ERROR(CheckPrivate(info, 0600, "key file " + std::string(name)));
  if (info.size > kMaxKeyFileBytes)
    return IntegrityError("key file " + std::string(name) + " is malformed");
  std::string text(static_cast<size_t>(info.size), '\0');
  COFFER_ASSIGN_OR_RETURN(
      size_t n, env->ReadAt(*file, 0, {reinterpret_cast<uint8_t*>(text.data()), text.size()}));
  text.resize(n);
  return text;
}

Result<SecretKey> ParseKey(std::string_view text, std::string_view name) {
  auto bytes = FromHex(TrimNewline(text));
  if (!bytes || bytes->size() != SecretKey::kSize) {
    if (bytes) sodium_memzero(bytes->data(), bytes->size());
    return IntegrityError("key file " + std::string(name) + " is malformed");
  }
  SecretKey key(std::span<const uint8_t, SecretKey::kSize>(bytes->data(), SecretKey::kSize));
  sodium_memzero(bytes->data(), bytes->size());
  return key;
}

std::string RandomSuffix() {
  uint8_t rnd[8];
  randombytes_buf(rnd, sizeof rnd);
  return ToHex(rnd);
}

// Writes `text` to `name` durably and atomically: a private temporary file is
// written and fsync'd, renamed into place, then the directory is fsync'd. A crash
// leaves either no file or the whole file, never a torn key.
Status WriteDurably(Env* env, const Dir& dir, std::string_view name, std::string_view text,
                    bool replace) {
  const std::string temp = std::string(name) + std::string(kTempMarker) + RandomSuffix();
  {
    COFFER_ASSIGN_OR_RETURN(File file, env->CreateExclusive(dir, temp));
    Status s = env->Append(file, AsBytes(text));
    if (s.ok()) s = env->Sync(file);
    if (!s.ok()) {
      (void)env->Unlink(dir, temp);
      return s;
    }
  }
  Status s = env->Rename(dir, temp, dir, name, replace);
  if (!s.ok()) {
    (void)env->Unlink(dir, temp);
    return s;
  }
  return env->SyncDir(dir);
}

Status WriteKey(Env* env, const Dir& dir, std::string_view name, const SecretKey& key) {
  std::string text = ToHex(key.bytes()) + "\n";
  Status s = WriteDurably(env, dir, name, text, /*replace=*/false);
  sodium_memzero(text.data(), text.size());
  return s;
}

Result<Dir> OpenKeysDir(Env* env, const std::filesystem::path& keys_dir) {
  auto dir = env->OpenRoot(keys_dir.string(), /*create=*/false);
  if (!dir.ok()) {
    if (dir.status().code() == Code::kNotFound) {
      return FailedPrecondition("the keys directory is missing");
    }
    return dir.status();
  }
  COFFER_ASSIGN_OR_RETURN(FileInfo info, env->Stat(*dir));
  COFFER_RETURN_IF_ERROR(CheckPrivate(info, 0700, "the keys directory"));
  return dir;
}

std::array<uint8_t, 4> KeyIdAd(uint32_t id) {
  return {static_cast<uint8_t>(id), static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id >> 16),
          static_cast<uint8_t>(id >> 24)};
}

}  // namespace

Result<Keyring> Keyring::Create(const std::filesystem::path& keys_dir) {
  if (sodium_init() < 0) return InternalError("libsodium failed to start");
  Env* env = Env::Default();
  COFFER_RETURN_IF_ERROR(env->OpenRoot(keys_dir.string(), /*create=*/true).status());
  COFFER_ASSIGN_OR_RETURN(Dir dir, OpenKeysDir(env, keys_dir));
  COFFER_ASSIGN_OR_RETURN(auto names, env->List(dir));
  for (const auto& name : names) {
    if (name == kCurrentName || name == kRowMacName || KekIdFromName(name)) {
      return AlreadyExists("the keys directory already holds keys");
    }
  }
  Keyring ring;
  ring.dir_ = keys_dir;
  ring.row_mac_key_ = SecretKey::Random();
  ring.current_id_ = 1;
  ring.keks_.emplace(1, SecretKey::Random());
  COFFER_RETURN_IF_ERROR(WriteKey(env, dir, kRowMacName, ring.row_mac_key_));
  COFFER_RETURN_IF_ERROR(WriteKey(env, dir, KekName(1), ring.keks_.at(1)));
  COFFER_RETURN_IF_ERROR(WriteDurably(env, dir, kCurrentName, "1\n", /*replace=*/false));
  return ring;
}

Result<Keyring> Keyring::Load(const std::filesystem::path& keys_dir) {
  if (sodium_init() < 0) return InternalError("libsodium failed to start");
  Env* env = Env::Default();
  COFFER_ASSIGN_OR_RETURN(Dir dir, OpenKeysDir(env, keys_dir));
  Keyring ring;
  ring.dir_ = keys_dir;
  COFFER_ASSIGN_OR_RETURN(std::string mac_text, ReadKeyFile(env, dir, kRowMacName));
  COFFER_ASSIGN_OR_RETURN(ring.row_mac_key_, ParseKey(mac_text, kRowMacName));
  sodium_memzero(mac_text.data(), mac_text.size());
  COFFER_ASSIGN_OR_RETURN(std::string current_text, ReadKeyFile(env, dir, kCurrentName));
  auto current = ParseId(TrimNewline(current_text));
  if (!current) return IntegrityError("key file current is malformed");
  ring.current_id_ = *current;
  COFFER_ASSIGN_OR_RETURN(auto names, env->List(dir));
  for (const auto& name : names) {
    auto id = KekIdFromName(name);
    if (!id) continue;
    COFFER_ASSIGN_OR_RETURN(std::string text, ReadKeyFile(env, dir, name));
    auto key = ParseKey(text, name);
    sodium_memzero(text.data(), text.size());
    if (!key.ok()) return key.status();
    ring.keks_.emplace(*id, *key);
  }
  if (!ring.keks_.contains(ring.current_id_)) {
    return FailedPrecondition("the current key-encryption key is missing");
  }
  return ring;
}

std::vector<uint32_t> Keyring::key_ids() const {
  std::vector<uint32_t> ids;
  for (const auto& [id, key] : keks_) ids.push_back(id);
  return ids;
}

Result<WrappedKey> Keyring::Wrap(const SecretKey& data_key) const {
  auto kek = keks_.find(current_id_);
  if (kek == keks_.end()) return InternalError("no current key-encryption key");
  WrappedKey out;
  out.key_id = current_id_;
  out.wrapped.resize(kWrappedBytes);
  randombytes_buf(out.wrapped.data(), kNonceBytes);
  const auto ad = KeyIdAd(current_id_);
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(
          out.wrapped.data() + kNonceBytes, &len, data_key.bytes().data(), SecretKey::kSize,
          ad.data(), ad.size(), nullptr, out.wrapped.data(), kek->second.bytes().data()) != 0 ||
      len + kNonceBytes != kWrappedBytes) {
    return InternalError("key wrapping failed");
  }
  return out;
}

Result<SecretKey> Keyring::Unwrap(const WrappedKey& wrapped) const {
  auto kek = keks_.find(wrapped.key_id);
  // An unknown id is treated like a forged one: the reference cannot be trusted.
  if (kek == keks_.end()) return IntegrityError("data key names an unknown key");
  if (wrapped.wrapped.size() != kWrappedBytes)
    return IntegrityError("wrapped data key is malformed");
  const auto ad = KeyIdAd(wrapped.key_id);
  std::array<uint8_t, SecretKey::kSize> plain{};
  unsigned long long len = 0;
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      plain.data(), &len, nullptr, wrapped.wrapped.data() + kNonceBytes,
      kWrappedBytes - kNonceBytes, ad.data(), ad.size(), wrapped.wrapped.data(),
      kek->second.bytes().data());
  if (rc != 0 || len != SecretKey::kSize) {
    sodium_memzero(plain.data(), plain.size());
    return IntegrityError("wrapped data key failed authentication");
  }
  SecretKey key(plain);
  sodium_memzero(plain.data(), plain.size());
  return key;
}

Result<uint32_t> Keyring::AddKey() {
  Env* env = Env::Default();
  COFFER_ASSIGN_OR_RETURN(Dir dir, OpenKeysDir(env, dir_));
  // Leftovers of an interrupted run are unused temporaries; a whole kek file that
  // never became current is kept and simply skipped over by the new id.
  COFFER_ASSIGN_OR_RETURN(auto names, env->List(dir));
  uint32_t max_id = keks_.empty() ? 0 : keks_.rbegin()->first;
  for (const auto& name : names) {
    if (name.find(kTempMarker) != std::string::npos) {
      COFFER_RETURN_IF_ERROR(env->Unlink(dir, name));
    } else if (auto id = KekIdFromName(name); id && *id > max_id) {
      max_id = *id;
    }
  }
  if (max_id == UINT32_MAX) return LimitExceeded("no key ids left");
  const uint32_t id = max_id + 1;
  SecretKey kek = SecretKey::Random();
  COFFER_RETURN_IF_ERROR(WriteKey(env, dir, KekName(id), kek));
  COFFER_RETURN_IF_ERROR(
      WriteDurably(env, dir, kCurrentName, std::to_string(id) + "\n", /*replace=*/true));
  keks_.emplace(id, kek);
  current_id_ = id;
  return id;
}

Status Keyring::RetireKey(uint32_t key_id) {
  if (key_id == current_id_) return FailedPrecondition("the current key cannot be retired");
  if (!keks_.contains(key_id)) return NotFound("no such key");
  Env* env = Env::Default();
  COFFER_ASSIGN_OR_RETURN(Dir dir, OpenKeysDir(env, dir_));
  Status s = env->Unlink(dir, KekName(key_id));
  if (!s.ok() && s.code() != Code::kNotFound) return s;
  COFFER_RETURN_IF_ERROR(env->SyncDir(dir));
  keks_.erase(key_id);
  return Status::Ok();
}

}  // namespace coffer::crypto
