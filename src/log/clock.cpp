#include "log/clock.hpp"

#include <algorithm>

namespace cppapp::log {
namespace {

class SteadyClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  duration real_wait(time_point deadline) const override {
    return std::max(deadline - now(), duration::zero());
  }
};

}  // namespace

const Clock& steady_clock() {
  static const SteadyClock clock;
  return clock;
}

}  // namespace cppapp::log
