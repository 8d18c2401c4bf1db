#include "audit/verifier.h"

namespace coffer::audit {

std::string_view FindingName(Finding f) {
  switch (f) {
    case Finding::kOk:
      return "ok";
    case Finding::kAltered:
      return "altered";
    case Finding::kRemoved:
      return "removed";
    case Finding::kInserted:
      return "inserted";
    case Finding::kReordered:
      return "reordered";
    case Finding::kCheckpointForged:
      return "checkpoint-forged";
    case Finding::kTruncated:
      return "truncated";
  }
  return "unknown";
}

void ChainVerifier::StartAfter(int64_t prev_id, ByteSpan prev_hash) {
  chained_ = true;
  prev_id_ = report_.last_id = report_.signed_id = prev_id;
  prev_hash_.assign(prev_hash.begin(), prev_hash.end());
}

void ChainVerifier::AddCheckpoint(const CheckpointView& c) {
  pending_.push_back({c.id, c.record_id, c.at_us, Bytes(c.head_hash.begin(), c.head_hash.end()),
                      Bytes(c.signature.begin(), c.signature.end())});
}

void ChainVerifier::Fail(Finding f, int64_t record_id, std::string detail) {
  if (done()) return;
  report_.finding = f;
  report_.record_id = record_id;
  report_.detail = std::move(detail);
}

bool ChainVerifier::SignatureOk(const Pending& c) {
  if (VerifySignature(key_, CheckpointMessage(c.record_id, c.head, c.at_us), c.signature)) {
    return true;
  }
  report_.checkpoint_id = c.id;
  Fail(Finding::kCheckpointForged, c.record_id,
       "checkpoint " + std::to_string(c.id) + " (record " + std::to_string(c.record_id) +
           ") does not carry a valid signature under this key");
  return false;
}

void ChainVerifier::CheckCheckpoints(const RecordView* r) {
  while (!done() && !pending_.empty() && (!r || pending_.front().record_id <= r->id)) {
    Pending c = std::move(pending_.front());
    pending_.pop_front();
    if (!SignatureOk(c)) return;
    if (!r) {
      Fail(Finding::kTruncated, report_.last_id + 1,
           "checkpoint " + std::to_string(c.id) + " signed record " + std::to_string(c.record_id) +
               " but the record ends at " + std::to_string(report_.last_id));
    } else if (c.record_id < r->id) {
      Fail(Finding::kRemoved, c.record_id,
           "checkpoint " + std::to_string(c.id) + " signed record " + std::to_string(c.record_id) +
               ", which is missing");
    } else if (!SameHash(c.head, r->hash)) {
      Fail(Finding::kAltered, report_.signed_id + 1,
           "the chain up to record " + std::to_string(r->id) + " was rewritten after checkpoint " +
               std::to_string(c.id) + " signed it");
    } else {
      report_.checkpoints++;
      report_.signed_id = r->id;
    }
  }
}

void ChainVerifier::Classify(const RecordView& r, std::span<const RecordView> ahead) {
  if (ahead.size() > kLookahead) ahead = ahead.first(kLookahead);
  if (r.id > prev_id_ + 1) {
    return Fail(Finding::kRemoved, prev_id_ + 1,
                "records " + std::to_string(prev_id_ + 1) + " to " + std::to_string(r.id - 1) +
                    " are missing");
  }
  for (const auto& a : ahead) {
    if (SameHash(a.hash, r.prev_hash)) {
      return Fail(Finding::kReordered, r.id,
                  "record " + std::to_string(r.id) + " chains to record " + std::to_string(a.id) +
                      ", which comes after it");
    }
  }
  if (!prevprev_hash_.empty() && SameHash(r.prev_hash, prevprev_hash_)) {
    return Fail(Finding::kInserted, prev_id_,
                "record " + std::to_string(prev_id_) + " is not part of the chain");
  }
  ByteSpan expected = chained_ ? ByteSpan(prev_hash_) : ByteSpan(kGenesis);
  if (!ahead.empty() && SameHash(ahead.front().prev_hash, expected)) {
    return Fail(Finding::kInserted, r.id,
                "record " + std::to_string(r.id) + " is not part of the chain");
  }
  auto h = hasher_.Compute(r);
  if (!h.ok() || !SameHash(*h, r.hash)) {
    return Fail(Finding::kAltered, r.id, "record " + std::to_string(r.id) + " was changed");
  }
  if (ahead.empty()) {
    return Fail(Finding::kInserted, r.id,
                "record " + std::to_string(r.id) + " does not chain to the record before it");
  }
  Fail(Finding::kAltered, prev_id_,
       "record " + std::to_string(prev_id_) + " was changed (its hash was rewritten)");
}

size_t ChainVerifier::Feed(std::span<const RecordView> page, bool last_page) {
  size_t i = 0;
  for (; i < page.size() && !done(); ++i) {
    const RecordView& r = page[i];
    CheckCheckpoints(&r);
    if (done()) break;
    if (r.hash.empty() && r.prev_hash.empty()) {
      if (chained_) {
        Fail(Finding::kAltered, r.id, "record " + std::to_string(r.id) + " lost its hash");
        break;
      }
      report_.unchained++;
      prev_id_ = report_.last_id = r.id;
      continue;
    }
    ByteSpan expected = chained_ ? ByteSpan(prev_hash_) : ByteSpan(kGenesis);
    if (!SameHash(r.prev_hash, expected)) {
      if (!last_page && page.size() - i <= kLookahead) return i;
      Classify(r, page.subspan(i + 1));
      break;
    }
    auto h = hasher_.Compute(r);
    if (!h.ok() || !SameHash(*h, r.hash)) {
      if (!last_page && i + 1 >= page.size()) return i;
      // The next record chaining past this one means this one was slipped in.
      bool skipped = i + 1 < page.size() && SameHash(page[i + 1].prev_hash, expected);
      Fail(skipped ? Finding::kInserted : Finding::kAltered, r.id,
           "record " + std::to_string(r.id) +
               (skipped ? " is not part of the chain" : " was changed"));
      break;
    }
    prevprev_hash_.swap(prev_hash_);
    prev_hash_.assign(r.hash.begin(), r.hash.end());
    prev_id_ = report_.last_id = r.id;
    chained_ = true;
    report_.records++;
  }
  return i;
}

void ChainVerifier::Finish(int64_t sequence) {
  CheckCheckpoints(nullptr);
  if (!done() && sequence > report_.last_id) {
    Fail(Finding::kTruncated, report_.last_id + 1,
         "ids up to " + std::to_string(sequence) + " were assigned but the record ends at " +
             std::to_string(report_.last_id));
  }
}

}  // namespace coffer::audit
