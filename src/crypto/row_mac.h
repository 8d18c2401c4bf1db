// RowMac: authenticates security-relevant database rows (THREAT-MODEL invariant 7).
//
// The MAC key lives in a key file beside the master key, never in the database,
// so a row inserted or edited through SQL alone (as an injection would) cannot
// carry a valid MAC. The MAC is HMAC-SHA256 over a canonical, length-prefixed
// encoding of a domain (the table and a version) and the row's fields in order,
// including the row id so a valid row cannot be copied onto another id.
// Thread-safe: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"

namespace coffer::crypto {

class RowMac {
 public:
  explicit RowMac(const SecretKey& key) : key_(key) {}

  // Fields are the caller's canonical text of each column (integers in decimal).
  std::string Compute(std::string_view domain, const std::vector<std::string>& fields) const;
  // Constant-time comparison against a stored hex MAC; false for any malformed value.
  bool Verify(std::string_view domain, const std::vector<std::string>& fields,
              std::string_view mac_hex) const;

 private:
  SecretKey key_;
};

}  // namespace coffer::crypto
