// AuditForwarder: the live copy of the activity record on a syslog collector
// (docs/audit.md, "Forwarding to syslog"), run as one background thread of
// `coffer serve`.
//
// The activity table is the queue: the forwarder reads records after a cursor
// (the id of the last record the collector's TCP acknowledged, kept in the
// settings row "audit.syslog.sent_id"), sends up to [syslog] batch_records of
// them as RFC 5424 messages with octet-counting framing, waits until the
// collector has acknowledged every byte, and only then moves the cursor. After
// a failure (collector down, reset, timeout, restart of either side) it
// reconnects with backoff (1 s doubling up to retry_max_seconds) and resends
// from the cursor, so nothing is lost and at most one batch is sent twice.
// Memory holds one batch. Records pruned before they were sent are skipped
// (and logged). Thread-safe: Start/Stop from the owner's thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "audit/syslog_connection.h"
#include "audit/syslog_format.h"
#include "config/config.h"
#include "store/metadata_store.h"

namespace coffer::service {

inline constexpr std::string_view kSyslogCursorSetting = "audit.syslog.sent_id";

class AuditForwarder {
 public:
  AuditForwarder(store::MetadataStore& store, const config::SyslogConfig& config);
  ~AuditForwarder();  // stops
  AuditForwarder(const AuditForwarder&) = delete;
  AuditForwarder& operator=(const AuditForwarder&) = delete;

  void Start();
  // Wakes the thread and joins it; an unacknowledged batch is resent next time.
  void Stop();

  // The persisted cursor (0 before anything was delivered).
  static Result<store::Id> SentId(store::MetadataStore& store);

 private:
  void Loop();
  // One connect-send-acknowledge round; false when the connection failed.
  bool SendBatch(store::Id& cursor);
  bool Wait(std::chrono::milliseconds d);  // false when stopping

  store::MetadataStore& store_;
  const config::SyslogConfig config_;
  audit::SyslogEndpoint endpoint_;
  audit::SyslogHeader header_;
  std::unique_ptr<audit::SyslogConnection> conn_;  // used by the thread only
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace coffer::service
