#include "server/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>
#include <spdlog/spdlog.h>

#include "app/application.hpp"
#include "server/connection.hpp"

namespace cppapp::server {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

/// One event-loop thread with its own listening socket (SO_REUSEPORT: the kernel spreads
/// connections across threads, and no lock is shared between them).
struct Worker {
  // Declaration order is destruction order reversed: sessions that a stopped context destroys
  // still unregister from a live registry, and the acceptor goes before its context.
  ConnectionRegistry registry;
  asio::io_context context{1};
  std::optional<tcp::acceptor> acceptor;
  std::thread thread;
};

tcp::acceptor open_acceptor(asio::io_context& context, const tcp::endpoint& endpoint) {
  tcp::acceptor acceptor(context);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  const int enable = 1;
  ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &enable, sizeof enable);
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

tcp::endpoint resolve(const std::string& host, std::uint16_t port) {
  asio::io_context context;
  tcp::resolver resolver(context);
  auto results = resolver.resolve(host, std::to_string(port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service);
  return results.begin()->endpoint();
}

asio::awaitable<void> accept_loop(Worker& worker, const ServerOptions& options, app::Application& app) {
  asio::steady_timer backoff(worker.context);
  while (worker.acceptor && worker.acceptor->is_open()) {
    auto [ec, socket] = co_await worker.acceptor->async_accept(nothrow);
    if (ec == asio::error::operation_aborted || !worker.acceptor->is_open()) co_return;
    if (ec) {
      // Out of file descriptors or similar: say so and retry shortly instead of spinning.
      spdlog::warn("accept failed: {}; retrying", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(nothrow);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(worker.context, serve_connection(std::move(socket), options, app, worker.registry),
                   [](const std::exception_ptr& error) {
                     if (!error) return;
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       spdlog::error("connection ended by an error: {}", e.what());
                     }
                   });
  }
}

/// Blocks until SIGTERM or SIGINT.
int wait_for_stop_signal() {
  asio::io_context context;
  asio::signal_set signals(context, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&](const boost::system::error_code&, int signal) { received = signal; });
  context.run();
  return received;
}

}  // namespace

int run(const ServerOptions& options, app::Application& app,
        const std::function<void(std::uint16_t port)>& on_listening) {
  // Block the stop signals in every thread but the one that waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);

  std::vector<std::unique_ptr<Worker>> workers;
  tcp::endpoint endpoint = resolve(options.host, options.port);
  for (unsigned i = 0; i < options.threads; ++i) {
    auto worker = std::make_unique<Worker>();
    worker->acceptor.emplace(open_acceptor(worker->context, endpoint));
    // With port 0 the first socket picks the port and the others join it.
    endpoint.port(worker->acceptor->local_endpoint().port());
    asio::co_spawn(worker->context, accept_loop(*worker, options, app), asio::detached);
    workers.push_back(std::move(worker));
  }

  std::mutex mutex;
  std::condition_variable all_stopped;
  unsigned running = static_cast<unsigned>(workers.size());
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  for (auto& worker : workers) {
    worker->thread = std::thread([&, context = &worker->context] {
      context->run();
      std::lock_guard lock(mutex);
      --running;
      all_stopped.notify_all();
    });
  }
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  on_listening(endpoint.port());

  const int signal = wait_for_stop_signal();
  spdlog::info("{} received: draining (up to {} ms)", signal == SIGINT ? "SIGINT" : "SIGTERM",
               options.shutdown_grace.count());
  app.begin_draining();
  for (auto& worker : workers) {
    asio::post(worker->context, [&w = *worker] {
      boost::system::error_code ignored;
      w.acceptor->close(ignored);
      w.registry.begin_draining();
    });
  }

  std::unique_lock lock(mutex);
  const bool drained = all_stopped.wait_for(lock, options.shutdown_grace, [&] { return running == 0; });
  lock.unlock();
  if (!drained) {
    spdlog::warn("shutdown grace of {} ms over with requests still in flight; closing them",
                 options.shutdown_grace.count());
    for (auto& worker : workers) worker->context.stop();
  }
  for (auto& worker : workers) worker->thread.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace cppapp::server
