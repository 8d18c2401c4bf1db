#include "service/ssh_key_text.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/sha256.h"

namespace coffer::service {

namespace {

// Reads SSH wire "string" and "mpint" fields from a key blob, bounded by its size.
class BlobReader {
 public:
  explicit BlobReader(std::span<const uint8_t> data) : data_(data) {}
  std::optional<std::string_view> String() {
    if (data_.size() - pos_ < 4) return std::nullopt;
    uint32_t n = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
                 (uint32_t{data_[pos_ + 2]} << 8) | uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    if (data_.size() - pos_ < n) return std::nullopt;
    std::string_view out(reinterpret_cast<const char*>(data_.data() + pos_), n);
    pos_ += n;
    return out;
  }
  bool AtEnd() const { return pos_ == data_.size(); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

size_t MpintBits(std::string_view m) {
  size_t i = 0;
  while (i < m.size() && m[i] == 0) ++i;
  if (i == m.size()) return 0;
  size_t bits = (m.size() - i - 1) * 8;
  for (auto top = static_cast<uint8_t>(m[i]); top; top >>= 1) ++bits;
  return bits;
}

Status CheckBlob(std::string_view algorithm, std::span<const uint8_t> blob) {
  BlobReader r(blob);
  auto type = r.String();
  if (!type || *type != algorithm) return InvalidArgument("key data does not match its type");
  if (algorithm == "ssh-ed25519") {
    auto pk = r.String();
    if (!pk || pk->size() != 32) return InvalidArgument("malformed ssh-ed25519 key");
  } else if (algorithm.starts_with("ecdsa-sha2-")) {
    auto curve = r.String();
    auto point = r.String();
    if (!curve || !point || *curve != algorithm.substr(11) || point->empty()) {
      return InvalidArgument("malformed ECDSA key");
    }
  } else {  // ssh-rsa
    auto e = r.String();
    auto n = r.String();
    if (!e || !n || MpintBits(*e) < 2) return InvalidArgument("malformed RSA key");
    if (MpintBits(*n) < 2048) return InvalidArgument("RSA keys must have at least 2048 bits");
  }
  if (!r.AtEnd()) return InvalidArgument("trailing data after the key");
  return Status::Ok();
}

bool AllowedAlgorithm(std::string_view a) {
  return a == "ssh-ed25519" || a == "ecdsa-sha2-nistp256" || a == "ecdsa-sha2-nistp384" ||
         a == "ecdsa-sha2-nistp521" || a == "ssh-rsa";
}

std::string Base64(std::span<const uint8_t> bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

Result<ParsedSshKey> ParseSshKeyBlob(std::string_view algorithm, std::string_view key_base64) {
  if (algorithm.size() + key_base64.size() > kMaxSshKeyText) {
    return LimitExceeded("SSH key is over 16 KiB");
  }
  if (!AllowedAlgorithm(algorithm)) {
    return InvalidArgument(
        "unsupported SSH key type (use ssh-ed25519, ecdsa-sha2-nistp* or ssh-rsa)");
  }
  std::vector<uint8_t> blob(key_base64.size());
  size_t len = 0;
  if (sodium_base642bin(blob.data(), blob.size(), key_base64.data(), key_base64.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return InvalidArgument("SSH key data is not valid base64");
  }
  blob.resize(len);
  COFFER_RETURN_IF_ERROR(CheckBlob(algorithm, blob));
  COFFER_ASSIGN_OR_RETURN(auto digest, crypto::Sha256::Digest(blob));
  ParsedSshKey k;
  k.algorithm = std::string(algorithm);
  k.key_base64 = Base64(blob, sodium_base64_VARIANT_ORIGINAL);
  k.fingerprint = "SHA256:" + Base64(digest, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  return k;
}

Result<ParsedSshKey> ParseSshKeyText(std::string_view text) {
  if (text.size() > kMaxSshKeyText) return LimitExceeded("SSH key is over 16 KiB");
  std::string line = Trim(text);
  if (line.find('\n') != std::string::npos) return InvalidArgument("give one key per line");
  size_t sp1 = line.find_first_of(" \t");
  if (sp1 == std::string::npos) return InvalidArgument("expected \"<type> <base64> [comment]\"");
  std::string algorithm = line.substr(0, sp1);
  std::string rest = Trim(std::string_view(line).substr(sp1));
  size_t sp2 = rest.find_first_of(" \t");
  std::string b64 = rest.substr(0, sp2);
  std::string comment = sp2 == std::string::npos ? "" : Trim(std::string_view(rest).substr(sp2));
  if (!AllowedAlgorithm(algorithm)) {
    return InvalidArgument(
        "unsupported SSH key type or key options (give the key line alone: ssh-ed25519, "
        "ecdsa-sha2-nistp* or ssh-rsa)");
  }
  if (comment.size() > 256) return LimitExceeded("SSH key comment is over 256 bytes");
  for (char ch : comment) {
    if (ch < 0x20 || ch > 0x7e) return InvalidArgument("SSH key comment must be printable ASCII");
  }
  COFFER_ASSIGN_OR_RETURN(ParsedSshKey k, ParseSshKeyBlob(algorithm, b64));
  k.comment = comment;
  return k;
}

}  // namespace coffer::service
