#include "app/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>

namespace cppapp::app {
namespace {

TEST(WorkerPool, RunsEveryQueuedJob) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(2, 100);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.try_submit([&] { ++ran; }));
  }  // the destructor finishes the queue
  EXPECT_EQ(ran.load(), 50);
}

TEST(WorkerPool, RefusesWhenTheQueueIsFull) {
  // Declared before the pool, so they outlive its threads.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::latch started(1);
  WorkerPool pool(1, 2);
  ASSERT_TRUE(pool.try_submit([&started, released] {
    started.count_down();
    released.wait();
  }));
  started.wait();  // the only worker is busy now
  EXPECT_TRUE(pool.try_submit([] {}));
  EXPECT_TRUE(pool.try_submit([] {}));
  EXPECT_EQ(pool.queue_depth(), 2u);
  EXPECT_EQ(pool.busy(), 1u);
  EXPECT_FALSE(pool.try_submit([] {}));
  release.set_value();
}

TEST(WorkerPool, RefusesAfterStop) {
  WorkerPool pool(1, 10);
  pool.stop();
  EXPECT_FALSE(pool.try_submit([] {}));
}

}  // namespace
}  // namespace cppapp::app
