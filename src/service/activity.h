// ActivityLog: the one place that turns an operation's outcome into an activity
// record (metadata store) and a domain event (event bus).
//
// A change appends its record inside the change's own transaction, so the record
// and the change commit or roll back together; the event is published only after
// the commit. Outcomes that change nothing (denials, reads, failures) are
// recorded on their own. Integrity alerts raised by the store while reading are
// queued and recorded by Flush(), never inside the read that found them.
//
// Every record is hash-chained (audit/chain.h) in the transaction that appends
// it: the head is read, the new record gets id head+1 and the hash over its
// fields and the head's hash. With a signing key, the head is also signed into a
// checkpoint every N records or M seconds (config [audit]), in the same
// transaction. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "audit/signing_key.h"
#include "events/event_bus.h"
#include "service/principal.h"
#include "store/metadata_store.h"

namespace coffer::service {

using Clock = std::function<int64_t()>;  // unix microseconds
Clock SystemClock();

struct Fact {
  std::string action;  // "file.upload", "user.create", ...
  std::string path;
  store::Id object_id = 0;
  int64_t bytes = 0;
  std::string sha256_hex;
  std::string detail;
};

// "ok" for success; "denied" when policy refused (permission, hidden object,
// quota, limit, authentication); "error" otherwise.
std::string_view ResultWord(const Status& outcome);

class ActivityLog {
 public:
  ActivityLog(store::MetadataStore& store, events::EventBus& bus, Clock clock);

  // Appends within the caller's transaction; returns the event to publish after commit.
  Result<events::Event> Append(const Principal& p, const Context& c, const Fact& fact,
                               std::string_view result);
  // Appends and publishes at once. A failure to record is logged, not returned.
  void Record(const Principal& p, const Context& c, const Fact& fact, const Status& outcome);
  void Publish(const events::Event& event) { bus_.Publish(event); }

  // Installed as the store's IntegrityListener.
  void QueueIntegrityAlert(const store::IntegrityAlert& alert);
  // Logs and records queued integrity alerts. Call outside any transaction.
  void Flush();

  int64_t NowUs() const { return clock_(); }

  // Turns on signed checkpoints. Call once, before any Append; `key` must
  // outlive this log.
  void EnableCheckpoints(const audit::SigningKey* key, uint32_t every_records,
                         uint32_t every_seconds);
  // Signs the chain head if records are not yet covered by a checkpoint (the
  // server calls it on a timer and when stopping). No-op without a key.
  Status Checkpoint();
  // The checkpoint key, or nullptr before EnableCheckpoints.
  const audit::SigningKey* signing_key() const { return signing_key_; }

 private:
  store::MetadataStore& store_;
  events::EventBus& bus_;
  Clock clock_;
  std::mutex mu_;
  std::vector<store::IntegrityAlert> alerts_;  // guarded by mu_
  // Set once by EnableCheckpoints before concurrent use.
  const audit::SigningKey* signing_key_ = nullptr;
  uint32_t checkpoint_records_ = 1000;
  int64_t checkpoint_us_ = 60'000'000;

  // Inside the append's transaction: the chain fields, then the insert.
  Status AppendChained(store::ActivityRecord& r);
  Status MaybeCheckpoint(const store::ActivityRecord& r);
  Status Sign(store::Id record_id, const Bytes& head_hash, int64_t at_us);
};

}  // namespace coffer::service
