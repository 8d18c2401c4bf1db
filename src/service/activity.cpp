#include "service/activity.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace coffer::service {

Clock SystemClock() {
  return [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

std::string_view ResultWord(const Status& outcome) {
  switch (outcome.code()) {
    case Code::kOk: return "ok";
    case Code::kPermissionDenied:
    case Code::kUnauthenticated:
    case Code::kQuotaExceeded:
    case Code::kLimitExceeded: return "denied";
    default: return "error";
  }
}

ActivityLog::ActivityLog(store::MetadataStore& store, events::EventBus& bus, Clock clock)
    : store_(store), bus_(bus), clock_(std::move(clock)) {}

Result<events::Event> ActivityLog::Append(const Principal& p, const Context& c, const Fact& fact,
                                          std::string_view result) {
  store::ActivityRecord r;
  r.at_us = clock_();
  r.actor_id = p.user_id;
  r.actor_name = p.name;
  r.protocol = c.protocol;
  r.address = c.address;
  r.session = c.session;
  r.action = fact.action;
  r.path = fact.path;
  r.object_id = fact.object_id;
  r.result = std::string(result);
  r.detail = fact.detail;
  r.bytes = fact.bytes;
  r.sha256_hex = fact.sha256_hex;
  COFFER_ASSIGN_OR_RETURN(store::Id id, store_.AppendActivity(r));
  (void)id;
  return events::Event{r.action,  r.result,     r.at_us,       r.actor_id,  r.actor_name,
                       r.protocol, r.address,   r.session,     r.path,      r.object_id,
                       r.bytes,    r.sha256_hex, r.detail};
}

void ActivityLog::Record(const Principal& p, const Context& c, const Fact& fact,
                         const Status& outcome) {
  Fact f = fact;
  if (!outcome.ok() && f.detail.empty()) f.detail = outcome.ToString();
  auto event = Append(p, c, f, ResultWord(outcome));
  if (!event.ok()) {
    spdlog::error("activity record for {} could not be written: {}", fact.action,
                  event.status().ToString());
    return;
  }
  bus_.Publish(*event);
}

void ActivityLog::QueueIntegrityAlert(const store::IntegrityAlert& alert) {
  std::lock_guard lock(mu_);
  if (alerts_.size() < 1000) alerts_.push_back(alert);  // bounded: a flood still logs 1000
}

void ActivityLog::Flush() {
  std::vector<store::IntegrityAlert> alerts;
  {
    std::lock_guard lock(mu_);
    alerts.swap(alerts_);
  }
  for (const auto& a : alerts) {
    spdlog::critical("integrity alert: {} row {} failed authentication ({}); treated as absent",
                     a.table, a.row_id, a.detail);
    Fact f{"integrity.alert", a.table, a.row_id, 0, "", a.detail};
    Record(Principal::System(), Context{"system", "local", ""}, f,
           IntegrityError(a.table + " row failed its MAC"));
  }
}

}  // namespace coffer::service
