// The audit record's background work while serving: the live syslog copy
// ([syslog] enabled) and retention ([audit] retention_days > 0, every
// prune_interval_seconds). Started by the constructor, stopped by the
// destructor (an unacknowledged syslog batch is resent on the next start).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "coffer/app.h"
#include "service/audit_forwarder.h"

namespace coffer::app {

class AuditJobs {
 public:
  explicit AuditJobs(App& app);
  ~AuditJobs();
  AuditJobs(const AuditJobs&) = delete;
  AuditJobs& operator=(const AuditJobs&) = delete;

 private:
  void PruneLoop();
  App& app_;
  std::unique_ptr<service::AuditForwarder> forwarder_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread pruner_;
};

}  // namespace coffer::app
