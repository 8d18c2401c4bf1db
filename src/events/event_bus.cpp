#include "events/event_bus.h"

#include <algorithm>

namespace coffer::events {

EventBus::SubscriptionId EventBus::Subscribe(Handler handler) {
  std::lock_guard lock(mu_);
  SubscriptionId id = next_id_++;
  subscriptions_.push_back({id, std::make_shared<const Handler>(std::move(handler))});
  return id;
}

void EventBus::Unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mu_);
  std::erase_if(subscriptions_, [id](const Subscription& s) { return s.id == id; });
}

void EventBus::Publish(const Event& event) {
  std::vector<std::shared_ptr<const Handler>> handlers;
  {
    // Handlers run outside the lock so one may subscribe or unsubscribe.
    std::lock_guard lock(mu_);
    for (const auto& s : subscriptions_) handlers.push_back(s.handler);
  }
  for (const auto& h : handlers) {
    try {
      (*h)(event);
    } catch (...) {
      std::lock_guard lock(mu_);
      ++failures_;
    }
  }
}

uint64_t EventBus::handler_failures() const {
  std::lock_guard lock(mu_);
  return failures_;
}

}  // namespace coffer::events
