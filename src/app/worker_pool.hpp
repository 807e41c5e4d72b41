// A small bounded pool for blocking work (database calls), so no event loop ever waits on one.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cppapp::app {

class WorkerPool {
 public:
  /// `threads` workers; at most `queue_limit` jobs wait beyond those running.
  WorkerPool(unsigned threads, std::size_t queue_limit);
  /// Runs what is queued, then joins (see stop()).
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`; false, without queueing, when the queue is full or the pool has stopped
  /// (the caller answers 503 at once).
  bool try_submit(std::function<void()> job);

  /// Jobs waiting for a worker.
  std::size_t queue_depth() const;
  /// Jobs running now.
  std::size_t busy() const;

  /// Stops taking jobs, finishes the queued ones, joins the threads.
  void stop();

 private:
  void work();

  const std::size_t queue_limit_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  std::size_t busy_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace cppapp::app
