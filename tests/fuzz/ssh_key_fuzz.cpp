// SSH public keys arrive as text from users (and as blobs from the SSH layer):
// any input must parse to a well-formed key or fail cleanly, and a parsed key
// must parse again to the same fingerprint.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "service/ssh_key_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto k = coffer::service::ParseSshKeyText(text);
  if (!k.ok()) {
    auto c = k.status().code();
    if (c != coffer::Code::kInvalidArgument && c != coffer::Code::kLimitExceeded) std::abort();
    return 0;
  }
  auto again = coffer::service::ParseSshKeyBlob(k->algorithm, k->key_base64);
  if (!again.ok() || again->fingerprint != k->fingerprint) std::abort();
  return 0;
}
