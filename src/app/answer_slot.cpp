#include "app/answer_slot.hpp"

#include <utility>

namespace cppapp::app {

void AnswerSlot::deliver(http::Response response) {
  Reply waiting;
  {
    std::lock_guard lock(mutex_);
    if (!waiting_) {
      arrived_ = std::move(response);
      return;
    }
    waiting = std::move(waiting_);
  }
  // Outside the lock: the waiter may do anything with its answer.
  waiting(std::move(response));
}

std::optional<http::Response> AnswerSlot::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(arrived_, std::nullopt);
}

std::optional<http::Response> AnswerSlot::take_or_wait(Reply then) {
  std::lock_guard lock(mutex_);
  if (arrived_) return std::exchange(arrived_, std::nullopt);
  waiting_ = std::move(then);
  return std::nullopt;
}

}  // namespace cppapp::app
