#include "crypto/row_mac.h"

#include <sodium.h>

#include "util/bytes.h"

namespace coffer::crypto {

namespace {
void AddField(crypto_auth_hmacsha256_state* st, std::string_view field) {
  uint8_t len[8];
  uint64_t n = field.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (56 - 8 * i));
  crypto_auth_hmacsha256_update(st, len, sizeof len);
  crypto_auth_hmacsha256_update(st, reinterpret_cast<const uint8_t*>(field.data()), field.size());
}
}  // namespace

std::string RowMac::Compute(std::string_view domain, const std::vector<std::string>& fields) const {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key_.bytes().data(), key_.bytes().size());
  AddField(&st, domain);
  for (const auto& f : fields) AddField(&st, f);
  uint8_t mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_memzero(&st, sizeof st);
  return ToHex(mac);
}

bool RowMac::Verify(std::string_view domain, const std::vector<std::string>& fields,
                    std::string_view mac_hex) const {
  std::string expected = Compute(domain, fields);
  if (mac_hex.size() != expected.size()) return false;
  return sodium_memcmp(expected.data(), mac_hex.data(), expected.size()) == 0;
}

}  // namespace coffer::crypto
