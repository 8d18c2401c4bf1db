#include "service/activity.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "audit/chain.h"

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
  COFFER_RETURN_IF_ERROR(store_.Transact([&] { return AppendChained(r); }));
  return events::Event{r.action,  r.result,     r.at_us,       r.actor_id,  r.actor_name,
                       r.protocol, r.address,   r.session,     r.path,      r.object_id,
                       r.bytes,    r.sha256_hex, r.detail};
}

Status ActivityLog::AppendChained(store::ActivityRecord& r) {
  COFFER_ASSIGN_OR_RETURN(store::ActivityHead head, store_.GetActivityHead());
  r.id = head.id + 1;
  // Records from before the chain existed have no hash: the chain starts afresh.
  r.prev_hash = head.hash.empty() ? Bytes(audit::kGenesis.begin(), audit::kGenesis.end())
                                  : std::move(head.hash);
  audit::ChainHasher hasher;
  COFFER_ASSIGN_OR_RETURN(
      audit::Hash hash,
      hasher.Compute({r.id, r.at_us, r.actor_id, r.actor_name, r.protocol, r.address, r.session,
                      r.action, r.path, r.object_id, r.result, r.detail, r.bytes, r.sha256_hex,
                      r.prev_hash, {}}));
  r.hash.assign(hash.begin(), hash.end());
  COFFER_RETURN_IF_ERROR(store_.AppendActivity(r).status());
  return MaybeCheckpoint(r);
}

void ActivityLog::EnableCheckpoints(const audit::SigningKey* key, uint32_t every_records,
                                    uint32_t every_seconds) {
  signing_key_ = key;
  checkpoint_records_ = std::max<uint32_t>(every_records, 1);
  checkpoint_us_ = int64_t{std::max<uint32_t>(every_seconds, 1)} * 1'000'000;
}

Status ActivityLog::MaybeCheckpoint(const store::ActivityRecord& r) {
  if (!signing_key_) return Status::Ok();
  COFFER_ASSIGN_OR_RETURN(auto last, store_.LastCheckpoint());
  bool due = !last || r.id - last->record_id >= checkpoint_records_ ||
             r.at_us - last->at_us >= checkpoint_us_;
  return due ? Sign(r.id, r.hash, r.at_us) : Status::Ok();
}

Status ActivityLog::Sign(store::Id record_id, const Bytes& head_hash, int64_t at_us) {
  audit::Signature sig = signing_key_->Sign(audit::CheckpointMessage(record_id, head_hash, at_us));
  store::AuditCheckpoint c{0, record_id, head_hash, at_us, Bytes(sig.begin(), sig.end())};
  return store_.AppendCheckpoint(c).status();
}

Status ActivityLog::Checkpoint() {
  if (!signing_key_) return Status::Ok();
  return store_.Transact([&]() -> Status {
    COFFER_ASSIGN_OR_RETURN(store::ActivityHead head, store_.GetActivityHead());
    if (head.id == 0 || head.hash.empty()) return Status::Ok();
    COFFER_ASSIGN_OR_RETURN(auto last, store_.LastCheckpoint());
    if (last && last->record_id >= head.id) return Status::Ok();
    return Sign(head.id, head.hash, clock_());
  });
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
