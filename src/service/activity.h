// ActivityLog: the one place that turns an operation's outcome into an activity
// record (metadata store) and a domain event (event bus).
//
// A change appends its record inside the change's own transaction, so the record
// and the change commit or roll back together; the event is published only after
// the commit. Outcomes that change nothing (denials, reads, failures) are
// recorded on their own. Integrity alerts raised by the store while reading are
// queued and recorded by Flush(), never inside the read that found them.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

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

 private:
  store::MetadataStore& store_;
  events::EventBus& bus_;
  Clock clock_;
  std::mutex mu_;
  std::vector<store::IntegrityAlert> alerts_;  // guarded by mu_
};

}  // namespace coffer::service
