#include "app/answer_slot.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <thread>

namespace cppapp::app {
namespace {

http::Response with_status(unsigned status) {
  http::Response response;
  response.status = status;
  return response;
}

TEST(AnswerSlotTest, AnAnswerDeliveredBeforeTheWaitIsTakenAtOnce) {
  AnswerSlot slot;
  EXPECT_FALSE(slot.take());
  slot.deliver(with_status(201));
  bool called = false;
  const auto ready = slot.take_or_wait([&called](http::Response) { called = true; });
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 201u);
  EXPECT_FALSE(called);
}

TEST(AnswerSlotTest, TakeTakesItOut) {
  AnswerSlot slot;
  slot.deliver(with_status(200));
  EXPECT_TRUE(slot.take());
  EXPECT_FALSE(slot.take());
}

TEST(AnswerSlotTest, AnAnswerDeliveredAfterTheWaitGoesToTheWaiterOnTheMakersThread) {
  AnswerSlot slot;
  std::optional<http::Response> received;
  std::thread::id receiver;
  EXPECT_FALSE(slot.take_or_wait([&](http::Response response) {
    received = std::move(response);
    receiver = std::this_thread::get_id();
  }));
  std::thread maker([&slot] { slot.deliver(with_status(503)); });
  const std::thread::id maker_id = maker.get_id();
  maker.join();
  ASSERT_TRUE(received);
  EXPECT_EQ(received->status, 503u);
  EXPECT_EQ(receiver, maker_id);
}

TEST(AnswerSlotTest, ASlotDroppedUnansweredFreesItsWaiter) {
  auto slot = std::make_shared<AnswerSlot>();
  auto waiter = std::make_shared<int>(0);
  const std::weak_ptr<int> watched = waiter;
  EXPECT_FALSE(slot->take_or_wait([waiter = std::move(waiter)](http::Response) {}));
  EXPECT_FALSE(watched.expired());
  slot.reset();
  EXPECT_TRUE(watched.expired());
}

}  // namespace
}  // namespace cppapp::app
