#include "audit/chain.h"

#include <algorithm>
#include <cstring>

namespace coffer::audit {

namespace {

constexpr std::string_view kRecordDomain = "coffer.audit.record.v1";
constexpr std::string_view kCheckpointDomain = "coffer.audit.checkpoint.v1";

// resize + memcpy rather than insert(): GCC 12 mis-diagnoses insert() of a
// range into a vector as an overflow (-Wstringop-overflow).
void PutRaw(Bytes& out, const void* data, size_t n) {
  if (n == 0) return;
  size_t at = out.size();
  out.resize(at + n);
  std::memcpy(out.data() + at, data, n);
}

void PutU64(Bytes& out, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(u >> (56 - 8 * i));
  PutRaw(out, b, sizeof b);
}

void PutStr(Bytes& out, std::string_view s) {
  PutU64(out, static_cast<int64_t>(s.size()));
  PutRaw(out, s.data(), s.size());
}

}  // namespace

Result<Hash> ChainHasher::Compute(const RecordView& r) {
  if (r.prev_hash.size() != kHashBytes) return InvalidArgument("audit prev_hash must be 32 bytes");
  buf_.clear();
  PutRaw(buf_, kRecordDomain.data(), kRecordDomain.size());
  PutU64(buf_, r.id);
  PutU64(buf_, r.at_us);
  PutU64(buf_, r.actor_id);
  for (std::string_view s : {r.actor_name, r.protocol, r.address, r.session, r.action, r.path}) {
    PutStr(buf_, s);
  }
  PutU64(buf_, r.object_id);
  PutStr(buf_, r.result);
  PutStr(buf_, r.detail);
  PutU64(buf_, r.bytes);
  PutStr(buf_, r.sha256_hex);
  PutRaw(buf_, r.prev_hash.data(), r.prev_hash.size());
  sha_.Update(buf_);
  return sha_.Finish();
}

Bytes CheckpointMessage(int64_t record_id, ByteSpan head_hash, int64_t at_us) {
  Bytes out;
  PutRaw(out, kCheckpointDomain.data(), kCheckpointDomain.size());
  PutU64(out, record_id);
  PutRaw(out, head_hash.data(), head_hash.size());
  PutU64(out, at_us);
  return out;
}

}  // namespace coffer::audit
