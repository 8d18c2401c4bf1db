// SSH public keys in authorized_keys text form ("<algorithm> <base64> [comment]"):
// parsing, validation and SHA-256 fingerprints.
//
// Accepted: ssh-ed25519, ecdsa-sha2-nistp256/384/521, and ssh-rsa keys of at
// least 2048 bits (signatures over RSA keys must use SHA-2; the SSH layer
// enforces that). Options before the algorithm, certificates and security-key
// (sk-*) types are refused. The key blob is checked to be well formed and to name
// the same algorithm as the text. Input over 16 KiB is refused.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace coffer::service {

inline constexpr size_t kMaxSshKeyText = 16 * 1024;

struct ParsedSshKey {
  std::string algorithm;
  std::string key_base64;   // canonical (re-encoded) base64 of the blob
  std::string fingerprint;  // "SHA256:" + unpadded base64 of SHA-256(blob)
  std::string comment;      // printable ASCII only, at most 256 bytes
};

Result<ParsedSshKey> ParseSshKeyText(std::string_view text);
// The same checks for a key given as algorithm + base64 blob (as the SSH layer
// presents the key a client signs in with).
Result<ParsedSshKey> ParseSshKeyBlob(std::string_view algorithm, std::string_view key_base64);

}  // namespace coffer::service
