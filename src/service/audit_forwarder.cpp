#include "service/audit_forwarder.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>

namespace coffer::service {

namespace {

std::string ThisHost() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "-";
  return buf;
}

audit::RecordView View(const store::ActivityRecord& r) {
  return {r.id,      r.at_us,      r.actor_id,  r.actor_name, r.protocol, r.address,
          r.session, r.action,     r.path,      r.object_id,  r.result,   r.detail,
          r.bytes,   r.sha256_hex, r.prev_hash, r.hash};
}

}  // namespace

AuditForwarder::AuditForwarder(store::MetadataStore& store, const config::SyslogConfig& config)
    : store_(store), config_(config) {
  endpoint_.host = config.host;
  endpoint_.port = static_cast<uint16_t>(config.port);
  endpoint_.tls = config.tls;
  endpoint_.ca_file = config.ca_file;
  endpoint_.server_name = config.server_name;
  endpoint_.timeout_ms = static_cast<int>(config.connect_timeout_seconds) * 1000;
  header_.facility = config.facility;
  header_.hostname = config.hostname.empty() ? ThisHost() : config.hostname;
}

AuditForwarder::~AuditForwarder() { Stop(); }

void AuditForwarder::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void AuditForwarder::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool AuditForwarder::Wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

Result<store::Id> AuditForwarder::SentId(store::MetadataStore& store) {
  COFFER_ASSIGN_OR_RETURN(auto text, store.GetSetting(kSyslogCursorSetting));
  if (!text) return store::Id{0};
  store::Id id = 0;
  auto r = std::from_chars(text->data(), text->data() + text->size(), id);
  if (r.ec != std::errc() || r.ptr != text->data() + text->size() || id < 0) {
    return IntegrityError("the syslog cursor setting is malformed");
  }
  return id;
}

bool AuditForwarder::SendBatch(store::Id& cursor) {
  auto records = store_.ScanActivity(cursor, config_.batch_records);
  if (!records.ok()) {
    spdlog::error("syslog: reading the activity record failed: {}", records.status().ToString());
    return true;  // not the collector's fault; retried after the poll interval
  }
  if (records->empty()) return true;
  if (records->front().id != cursor + 1 && cursor > 0) {
    spdlog::warn("syslog: records {} to {} were pruned before they were sent", cursor + 1,
                 records->front().id - 1);
  }
  std::string buf;
  for (const auto& r : *records) {
    buf += audit::FrameOctetCounted(audit::FormatSyslog(header_, View(r)));
  }
  Status st = conn_->Send(buf);
  if (st.ok()) st = conn_->WaitAcked(static_cast<int>(config_.ack_timeout_seconds) * 1000);
  if (!st.ok()) {
    spdlog::warn("syslog: {}; resending from record {}", st.ToString(), cursor + 1);
    return false;
  }
  cursor = records->back().id;
  Status saved = store_.PutSetting(kSyslogCursorSetting, std::to_string(cursor));
  if (!saved.ok()) spdlog::error("syslog: saving the cursor failed: {}", saved.ToString());
  return true;
}

void AuditForwarder::Loop() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);  // a reset connection fails the write instead
  auto sent = SentId(store_);
  if (!sent.ok())
    spdlog::error("syslog: {}; starting from the first record", sent.status().ToString());
  store::Id cursor = sent.ok() ? *sent : 0;
  const auto poll = std::chrono::milliseconds(config_.poll_interval_ms);
  const auto max_backoff = std::chrono::milliseconds(int64_t{config_.retry_max_seconds} * 1000);
  auto backoff = std::chrono::milliseconds(1000);
  bool was_down = false;
  for (;;) {
    if (!conn_) {
      auto opened = audit::SyslogConnection::Open(endpoint_);
      if (!opened.ok()) {
        if (!was_down) spdlog::warn("syslog: {}; retrying", opened.status().ToString());
        was_down = true;
        if (!Wait(backoff)) return;
        backoff = std::min(backoff * 2, max_backoff);
        continue;
      }
      conn_ = std::move(*opened);
      spdlog::info("syslog: connected to {}:{}; sending from record {}", endpoint_.host,
                   endpoint_.port, cursor + 1);
      was_down = false;
      backoff = std::chrono::milliseconds(1000);
    }
    store::Id before = cursor;
    if (!SendBatch(cursor)) {
      conn_.reset();
      if (!Wait(std::chrono::milliseconds(200))) return;
      continue;
    }
    if (cursor == before && !Wait(poll)) return;
    std::lock_guard lock(mu_);
    if (stop_) return;
  }
}

}  // namespace coffer::service
