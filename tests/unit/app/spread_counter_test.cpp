#include "app/spread_counter.hpp"

#include <gtest/gtest.h>

#include <new>
#include <thread>
#include <vector>

namespace cppapp::app {
namespace {

TEST(SpreadCounter, SumsWhatEveryThreadAdded) {
  SpreadCounter counter;
  constexpr int kThreads = 4;
  constexpr int kAdds = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < kAdds; ++i) counter.add();
    });
  }
  counter.add(5);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.total(), kThreads * kAdds + 5u);
}

TEST(SpreadCounter, ANewCounterWhereAnOldOneWasStartsAtZero) {
  // The same address: a thread's slot of the old counter must not be taken for the new one's.
  alignas(SpreadCounter) unsigned char storage[sizeof(SpreadCounter)];
  auto* counter = new (storage) SpreadCounter;
  counter->add(7);
  EXPECT_EQ(counter->total(), 7u);
  counter->~SpreadCounter();
  counter = new (storage) SpreadCounter;
  EXPECT_EQ(counter->total(), 0u);
  counter->add(2);
  EXPECT_EQ(counter->total(), 2u);
  counter->~SpreadCounter();
}

}  // namespace
}  // namespace cppapp::app
