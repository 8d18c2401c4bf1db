#include "coffer/audit_jobs.h"

#include <spdlog/spdlog.h>

namespace coffer::app {

AuditJobs::AuditJobs(App& app) : app_(app) {
  if (app.config().syslog.enabled) {
    forwarder_ = std::make_unique<service::AuditForwarder>(app.store(), app.config().syslog);
    forwarder_->Start();
  }
  if (app.config().audit.retention_days > 0) pruner_ = std::thread([this] { PruneLoop(); });
}

AuditJobs::~AuditJobs() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (pruner_.joinable()) pruner_.join();
  if (forwarder_) forwarder_->Stop();
}

void AuditJobs::PruneLoop() {
  auto interval = std::chrono::seconds(app_.config().audit.prune_interval_seconds);
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    auto r = app_.admin().PruneActivity(service::Principal::System(), {"system", "local", "prune"});
    if (!r.ok()) spdlog::error("audit prune failed: {}", r.status().ToString());
    if (r.ok() && r->removed > 0) {
      spdlog::info("audit prune removed {} record(s); the chain starts after record {}", r->removed,
                   r->anchor);
    }
    lock.lock();
    cv_.wait_for(lock, interval, [this] { return stop_; });
  }
}

}  // namespace coffer::app
