#include "events/event_bus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace coffer::events {
namespace {

Event Named(std::string action) {
  Event e;
  e.action = std::move(action);
  return e;
}

TEST(EventBusTest, DeliversToEverySubscriberUntilUnsubscribed) {
  EventBus bus;
  int a = 0, b = 0;
  auto ida = bus.Subscribe([&](const Event& e) { a += e.action == "file.upload"; });
  bus.Subscribe([&](const Event&) { ++b; });
  bus.Publish(Named("file.upload"));
  bus.Unsubscribe(ida);
  bus.Publish(Named("file.upload"));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
}

TEST(EventBusTest, AThrowingHandlerIsCountedAndOthersStillRun) {
  EventBus bus;
  int after = 0;
  bus.Subscribe([](const Event&) { throw std::runtime_error("boom"); });
  bus.Subscribe([&](const Event&) { ++after; });
  bus.Publish(Named("x"));
  EXPECT_EQ(after, 1);
  EXPECT_EQ(bus.handler_failures(), 1u);
}

TEST(EventBusTest, AHandlerMaySubscribeWhilePublishing) {
  EventBus bus;
  int late = 0;
  bus.Subscribe([&](const Event&) { bus.Subscribe([&](const Event&) { ++late; }); });
  bus.Publish(Named("x"));
  EXPECT_EQ(late, 0);
  bus.Publish(Named("x"));
  EXPECT_EQ(late, 1);
}

TEST(EventBusTest, ConcurrentPublishersDeliverEveryEvent) {
  EventBus bus;
  std::atomic<int> seen = 0;
  bus.Subscribe([&](const Event&) { ++seen; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) bus.Publish(Named("x"));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.load(), 4000);
}

}  // namespace
}  // namespace coffer::events
