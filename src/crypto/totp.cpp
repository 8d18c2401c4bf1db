#include "crypto/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace coffer::crypto {

std::string Hotp(ByteSpan secret, uint64_t counter, int digits) {
  uint8_t msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<uint8_t>(counter & 0xff);
    counter >>= 8;
  }
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), msg, sizeof msg, mac,
            &mac_len) ||
      mac_len != 20) {
    return std::string();  // never equal to a code
  }
  // RFC 4226 section 5.3: dynamic truncation.
  const int offset = mac[19] & 0x0f;
  const uint32_t bin = (uint32_t{mac[offset]} & 0x7f) << 24 | uint32_t{mac[offset + 1]} << 16 |
                       uint32_t{mac[offset + 2]} << 8 | uint32_t{mac[offset + 3]};
  uint32_t mod = 1;
  for (int i = 0; i < digits; ++i) mod *= 10;
  std::string out = std::to_string(bin % mod);
  return std::string(static_cast<size_t>(digits) - out.size(), '0') + out;
}

int64_t TotpStep(int64_t unix_seconds) {
  return unix_seconds < 0 ? 0 : unix_seconds / kTotpStepSeconds;
}

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
}

std::string Base32Encode(ByteSpan bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<Bytes> Base32Decode(std::string_view text) {
  Bytes out;
  uint32_t buffer = 0;
  int bits = 0;
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  for (char ch : text) {
    if (ch == ' ') continue;
    int v = -1;
    if (ch >= 'a' && ch <= 'z') v = ch - 'a';
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    if (ch >= '2' && ch <= '7') v = ch - '2' + 26;
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<uint8_t>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

}  // namespace coffer::crypto
