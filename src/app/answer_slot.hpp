// How an answer made on one thread reaches a request waiting on another.
#pragma once

#include <functional>
#include <mutex>
#include <optional>

#include "http/message.hpp"

namespace cppapp::app {

/// Finishes a request with its response: called exactly once, from any thread.
using Reply = std::function<void(http::Response)>;

/// One request's answer on its way from whoever makes it to whoever waits for it, whichever comes
/// first: the pipeline answers before handle() returns (nearly always) or a database worker
/// answers later, before or after the connection begins to wait. Shared by the two sides.
class AnswerSlot {
 public:
  /// The maker's side, once: hands `response` to the waiter when it waits already (on this
  /// thread), else keeps it for take() or take_or_wait().
  void deliver(http::Response response);

  /// The answer when it has come (taken out), else nullopt.
  std::optional<http::Response> take();

  /// The waiter's side, once: the answer when it has come; else nullopt, and deliver() calls
  /// `then` with it on the maker's thread. `then` is the only thing the slot keeps of the
  /// waiter: a waiter that keeps no share of the slot meanwhile is freed with it when the maker
  /// drops the slot unanswered.
  std::optional<http::Response> take_or_wait(Reply then);

 private:
  std::mutex mutex_;
  std::optional<http::Response> arrived_;
  Reply waiting_;
};

}  // namespace cppapp::app
