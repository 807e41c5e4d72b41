#include "server/server.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "app/application.hpp"
#include "log/logger.hpp"
#include "log/repeat_limiter.hpp"
#include "server/connection.hpp"

namespace cppapp::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
/// How long an event loop collects console lines before handing them on together.
constexpr auto kConsoleFlushDelay = std::chrono::milliseconds(1);

/// One event-loop thread and the connections it serves. Connections never move between threads,
/// so a connection's state needs no lock.
struct EventLoop {
  // Declaration order is destruction order reversed: sessions that a stopped context destroys
  // still unregister from a live registry.
  ConnectionRegistry registry;
  AnswerCache answers;
  asio::io_context context{1};
  /// Hands this loop's console lines on, a moment after the first of them (see below).
  asio::steady_timer log_flush{context};
  /// Enforces the connections' time limits (ConnectionRegistry::sweep).
  asio::steady_timer deadline_sweep{context};
  /// Keeps the loop running while it has no connection; released when draining starts.
  asio::executor_work_guard<asio::io_context::executor_type> keep_running{context.get_executor()};
  std::thread thread;

  explicit EventLoop(std::size_t answer_cache_bytes) : answers(answer_cache_bytes) {
    registry.sweep_timer = &deadline_sweep;
  }
};

tcp::acceptor open_acceptor(asio::io_context& context, std::string host, std::uint16_t port) {
  // "[::1]" as in a URL is the address ::1.
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  tcp::resolver resolver(context);
  const auto found = resolver.resolve(host, std::to_string(port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || found.empty())
    throw ListenError(ListenError::Kind::address, ec ? ec.message() : "it has no address");
  const tcp::endpoint endpoint = found.begin()->endpoint();
  tcp::acceptor acceptor(context);
  const auto fail_unless_ok = [&ec] {
    if (ec) throw ListenError(ListenError::Kind::bind, ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  fail_unless_ok();
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  fail_unless_ok();
  acceptor.bind(endpoint, ec);
  // e.g. 192.0.2.9: an address, but not one of this host's.
  if (ec == boost::system::errc::address_not_available)
    throw ListenError(ListenError::Kind::address, ec.message());
  fail_unless_ok();
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  fail_unless_ok();
  return acceptor;
}

/// Accepts on the first loop's thread and hands each connection to the loops in turn.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor,
                                  std::vector<std::unique_ptr<EventLoop>>& loops,
                                  const ServerOptions& options, app::Application& app) {
  asio::steady_timer backoff(acceptor.get_executor());
  log::RepeatLimiter accept_failures;
  std::size_t next = 0;
  while (acceptor.is_open()) {
    EventLoop& loop = *loops[next];
    next = (next + 1) % loops.size();
    auto [ec, socket] = co_await acceptor.async_accept(loop.context, nothrow);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of file descriptors or similar: say so (once per few seconds, with a count) and
      // retry shortly instead of spinning. The connection waits in the listen backlog.
      if (const auto repeated = accept_failures.admit()) {
        log::warn("accept failed: {}; retrying every 50 ms{}", ec.message(), *repeated);
      }
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(nothrow);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(loop.context,
                   serve_connection(std::move(socket), options, app, loop.registry, loop.answers),
                   [](const std::exception_ptr& error) {
                     if (!error) return;
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       log::error("connection ended by an error: {}", e.what());
                     }
                   });
  }
}

}  // namespace

int run(const ServerOptions& options, app::Application& app,
        const std::function<void(std::uint16_t port)>& on_listening) {
  // Block the stop signals (and the ones only noted) in every thread but the one that waits for
  // them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  for (const int noted : kNotedSignals) sigaddset(&stop_signals, noted);

  std::vector<std::unique_ptr<EventLoop>> loops;
  for (unsigned i = 0; i < options.threads; ++i)
    loops.push_back(std::make_unique<EventLoop>(options.answer_cache));
  tcp::acceptor acceptor = open_acceptor(loops.front()->context, options.host, options.port);
  asio::co_spawn(loops.front()->context, accept_loop(acceptor, loops, options, app),
                 asio::detached);

  std::mutex mutex;
  std::condition_variable all_stopped;
  unsigned running = static_cast<unsigned>(loops.size());
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  for (auto& loop : loops) {
    loop->thread = std::thread([&, context = &loop->context, timer = &loop->log_flush] {
      // A millisecond of lines at a time: a lightly loaded loop finishes a turn after a request
      // or two, and waking the console writer for so few lines costs more than the requests.
      log::batch_on_this_thread([timer](std::function<void()> flush) {
        timer->expires_after(kConsoleFlushDelay);
        timer->async_wait(
            [flush = std::move(flush)](const boost::system::error_code&) { flush(); });
      });
      context->run();
      log::flush_this_thread();
      std::lock_guard lock(mutex);
      --running;
      all_stopped.notify_all();
    });
  }
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);

  // Catch the stop signals before saying we listen, so a supervisor's early SIGTERM drains too.
  asio::io_context signal_context;
  asio::signal_set stop_signal_set(signal_context, SIGINT, SIGTERM);
  int signal = 0;
  stop_signal_set.async_wait([&](const boost::system::error_code&, int received) {
    signal = received;
    signal_context.stop();  // the noted signals' wait below must not keep it running
  });
  // Signals that mean nothing to cppapp (there is no file to reopen, no configuration to reload)
  // are said and otherwise ignored: by default each would end the process without a drain.
  asio::signal_set noted_signal_set(signal_context);
  for (const int noted : kNotedSignals) noted_signal_set.add(noted);
  // A stream of one signal is a few lines, not one each.
  std::array<log::RepeatLimiter, kNotedSignals.size()> noted_lines;
  std::function<void()> note_signals = [&] {
    noted_signal_set.async_wait([&](const boost::system::error_code& ec, int received) {
      if (ec) return;
      const auto which = static_cast<std::size_t>(
          std::find(kNotedSignals.begin(), kNotedSignals.end(), received) - kNotedSignals.begin());
      const auto repeated = which < noted_lines.size() ? noted_lines[which].admit() : std::nullopt;
      if (repeated) {
        log::warn(
            "SIG{} received: ignored (cppapp has no file to reopen, no configuration to "
            "reload and no timer of its own; SIGTERM or SIGINT stops it){}",
            sigabbrev_np(received), *repeated);
      }
      note_signals();
    });
  };
  note_signals();
  on_listening(acceptor.local_endpoint().port());
  signal_context.run();
  app.begin_draining();
  asio::post(loops.front()->context, [&acceptor] {
    boost::system::error_code ignored;
    acceptor.close(ignored);
  });
  // Said once every loop drains, so from this line on every answer carries Connection: close.
  std::latch all_draining(static_cast<std::ptrdiff_t>(loops.size()));
  for (auto& loop : loops) {
    asio::post(loop->context, [&each = *loop, &all_draining] {
      each.registry.begin_draining();
      each.keep_running.reset();
      all_draining.count_down();
    });
  }
  all_draining.wait();
  log::info("{} received: draining (up to {} ms)", signal == SIGINT ? "SIGINT" : "SIGTERM",
            options.shutdown_grace.count());

  std::unique_lock lock(mutex);
  const bool drained =
      all_stopped.wait_for(lock, options.shutdown_grace, [&] { return running == 0; });
  lock.unlock();
  if (!drained) {
    log::warn("shutdown grace of {} ms over with requests still in flight; closing them",
              options.shutdown_grace.count());
    for (auto& loop : loops) loop->context.stop();
  }
  for (auto& loop : loops) loop->thread.join();
  // Database work still queued answers into stopped (not yet destroyed) loops.
  app.stop_background_work();
  log::info("stopped");
  return 0;
}

}  // namespace cppapp::server
