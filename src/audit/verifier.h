// ChainVerifier: walks the activity chain and its signed checkpoints in order
// and stops at the first thing wrong (docs/audit.md, "Verify").
//
// Feed it records in id order, in pages, and the checkpoints in (record_id, id)
// order before the page that reaches their record_id; then Finish(). It holds
// only the last two records' hashes and the pending checkpoints, so memory does
// not grow with the chain. Not thread-safe.
//
// What is reported, for the first problem met:
//   kAltered    a record's content no longer matches its hash, or a record's hash
//               was rewritten (the next record no longer chains to it), or the
//               chain was rewritten consistently up to a signed checkpoint (the
//               first record after the previous checkpoint is named);
//   kRemoved    an id is missing where the chain breaks, or a checkpoint names a
//               record that is gone;
//   kInserted   a record that the chain skips over (or a new last record whose
//               link is wrong);
//   kReordered  a record that chains to a record that comes after it;
//   kCheckpointForged  a checkpoint whose signature fails under the key;
//   kTruncated  records after the last one present were signed or numbered.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>

#include "audit/chain.h"
#include "audit/signing_key.h"

namespace coffer::audit {

enum class Finding {
  kOk,
  kAltered,
  kRemoved,
  kInserted,
  kReordered,
  kCheckpointForged,
  kTruncated
};
std::string_view FindingName(Finding f);

struct CheckpointView {
  int64_t id = 0;
  int64_t record_id = 0;
  ByteSpan head_hash;
  int64_t at_us = 0;
  ByteSpan signature;
};

struct Report {
  Finding finding = Finding::kOk;
  int64_t record_id = 0;      // the first record concerned (0: none)
  int64_t checkpoint_id = 0;  // for kCheckpointForged
  std::string detail;
  int64_t records = 0;      // chained records verified
  int64_t unchained = 0;    // records written before the chain existed
  int64_t checkpoints = 0;  // checkpoints whose signature and head matched
  int64_t last_id = 0;      // the last record seen
  int64_t signed_id = 0;    // the last record covered by a valid checkpoint
  int64_t anchor_id = 0;    // after pruning: the record the chain starts after (0: none)
};

class ChainVerifier {
 public:
  // Records that may be needed after a broken link to tell what happened.
  static constexpr size_t kLookahead = 64;

  explicit ChainVerifier(const PublicKey& key) : key_(key) {}

  // For an export that starts mid-chain: its first record chains to
  // `prev_hash` and has id `prev_id` + 1. Before the first Feed.
  void StartAfter(int64_t prev_id, ByteSpan prev_hash);
  void AddCheckpoint(const CheckpointView& c);
  // Consumes records from the front of `page` and returns how many. It stops
  // early, without consuming, at a broken link too near the page's end to
  // classify unless `last_page`; the caller then feeds again from there.
  // Once done() it consumes nothing.
  size_t Feed(std::span<const RecordView> page, bool last_page);
  // After the last record. `sequence` is the highest id ever assigned.
  void Finish(int64_t sequence);

  bool done() const { return report_.finding != Finding::kOk; }
  const Report& report() const { return report_; }
  void set_anchor(int64_t record_id) { report_.anchor_id = record_id; }
  // Reports `f` at `record_id` unless a problem was already found.
  void Fail(Finding f, int64_t record_id, std::string detail);

 private:
  struct Pending {
    int64_t id, record_id, at_us;
    Bytes head, signature;
  };
  bool SignatureOk(const Pending& c);
  void Classify(const RecordView& r, std::span<const RecordView> ahead);
  // Checkpoints due at or before record `r` (nullptr: the end of the chain).
  void CheckCheckpoints(const RecordView* r);

  PublicKey key_;
  ChainHasher hasher_;
  std::deque<Pending> pending_;
  bool chained_ = false;
  Bytes prev_hash_, prevprev_hash_;
  int64_t prev_id_ = 0;
  Report report_;
};

}  // namespace coffer::audit
