// The audit hash chain: the canonical encoding of one activity record and the
// hash that links it to its predecessor (docs/audit.md).
//
// hash = SHA-256( "coffer.audit.record.v1" || u64(id) || u64(at_us) || u64(actor_id)
//                 || str(actor_name) || str(protocol) || str(address) || str(session)
//                 || str(action) || str(path) || u64(object_id) || str(result)
//                 || str(detail) || u64(bytes) || str(sha256_hex) || prev_hash[32] )
// u64 is 8 bytes big-endian (two's complement); str is u64(length) then the bytes.
// Every field is length-prefixed, so no two records encode alike. The first
// chained record's prev_hash is 32 zero bytes (kGenesis).
//
// A checkpoint signs "coffer.audit.checkpoint.v1" || u64(record_id) ||
// head_hash[32] || u64(at_us) with Ed25519 (signing_key.h).
//
// ChainHasher is not thread-safe (it reuses one buffer and one digest context).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "crypto/sha256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace coffer::audit {

inline constexpr size_t kHashBytes = 32;
using Hash = crypto::Sha256Digest;
inline constexpr Hash kGenesis{};

// The hashed fields of one record, borrowed from whoever holds it.
struct RecordView {
  int64_t id = 0;
  int64_t at_us = 0;
  int64_t actor_id = 0;
  std::string_view actor_name;
  std::string_view protocol;
  std::string_view address;
  std::string_view session;
  std::string_view action;
  std::string_view path;
  int64_t object_id = 0;
  std::string_view result;
  std::string_view detail;
  int64_t bytes = 0;
  std::string_view sha256_hex;
  ByteSpan prev_hash;  // kHashBytes, or empty only for unchained (legacy) records
  ByteSpan hash;       // as stored; not part of the encoding
};

class ChainHasher {
 public:
  // kInvalidArgument if prev_hash is not kHashBytes long; kInternal if OpenSSL fails.
  Result<Hash> Compute(const RecordView& r);

 private:
  Bytes buf_;
  crypto::Sha256 sha_;
};

// The bytes a checkpoint signature covers.
Bytes CheckpointMessage(int64_t record_id, ByteSpan head_hash, int64_t at_us);

inline bool SameHash(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace coffer::audit
