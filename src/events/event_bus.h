// EventBus: in-process domain events ("file.upload", "file.delete", "user.create",
// "integrity.alert" ...) that later features subscribe to: automation rules,
// notifications, retention and the exfiltration detector.
//
// Every service operation, allowed or denied, publishes one Event carrying the
// same facts as its activity record. Publish runs subscribers synchronously on
// the caller's thread, after the change is committed; a subscriber must be quick
// and must not call back into the service on that thread (queue work instead).
// An exception thrown by a subscriber is caught and counted, never propagated.
// Thread-safe: Subscribe, Unsubscribe and Publish may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace coffer::events {

struct Event {
  std::string action;  // dotted name, e.g. "file.upload"
  std::string result;  // "ok", "denied", "error"
  int64_t at_us = 0;
  int64_t actor_id = 0;
  std::string actor;
  std::string protocol;
  std::string address;
  std::string session;
  std::string path;
  int64_t object_id = 0;
  int64_t bytes = 0;
  std::string sha256_hex;
  std::string detail;
};

class EventBus {
 public:
  using Handler = std::function<void(const Event&)>;
  using SubscriptionId = uint64_t;

  SubscriptionId Subscribe(Handler handler);
  void Unsubscribe(SubscriptionId id);
  void Publish(const Event& event);
  uint64_t handler_failures() const;

 private:
  struct Subscription {
    SubscriptionId id;
    std::shared_ptr<const Handler> handler;
  };
  mutable std::mutex mu_;
  std::vector<Subscription> subscriptions_;  // guarded by mu_
  SubscriptionId next_id_ = 1;               // guarded by mu_
  uint64_t failures_ = 0;                    // guarded by mu_
};

}  // namespace coffer::events
