// cppapp: nodeapp's backend service in C++. Reads the configuration, prepares the views and
// serves until SIGTERM (see docs/architecture.md for the life of a request).
#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "app/application.hpp"
#include "app/config.hpp"
#include "app/data_dir.hpp"
#include "app/service.hpp"
#include "app/start_urls.hpp"
#include "app/tools.hpp"
#include "log/logger.hpp"
#include "server/server.hpp"
#include "store/mongo_module.hpp"
#include "store/store.hpp"
#include "view/template_engine.hpp"

using namespace cppapp;

namespace {

server::ServerOptions server_options(const app::Config& config) {
  return {.host = config.host,
          .port = config.port,
          .threads = config.threads,
          .header_limit = config.header_limit,
          .uri_limit = config.uri_limit,
          .body_limit = config.body_limit,
          .header_timeout = config.header_timeout,
          .body_timeout = config.body_timeout,
          .keepalive_timeout = config.keepalive_timeout,
          .shutdown_grace = config.shutdown_grace,
          .answer_cache = config.answer_cache};
}

log::LogOptions log_options(const app::Config& config) {
  return {.level = log::parse_level(config.log_level).value_or(log::Level::info),
          .json_console = config.log_json,
          .node_name = config.node_name,
          .logstash_address = config.logstash_address,
          .buffer_bytes = config.log_buffer,
          .spool_max_bytes = config.log_spool_max,
          .resend_window_bytes = config.log_resend_window,
          .spool_dir = config.data_dir / "log-spool"};
}

/// glibc gives each thread that allocates its own malloc arena (up to 8 per core), each keeping
/// the memory it once held: with event loops, database workers and the log writer that is
/// several mostly idle heaps. One arena per event loop (at least two) serves the same load;
/// MALLOC_ARENA_MAX, when set, still decides.
void limit_malloc_arenas(unsigned event_loops) {
  if (std::getenv("MALLOC_ARENA_MAX") != nullptr) return;
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, event_loops)));
}

/// glibc raises its mmap threshold each time a block it mapped is freed, up to 32 MiB, so after
/// the first few compressions brotli's and zlib's large windows come from the heaps instead,
/// where they stay resident once freed (about 1 MiB after the guestbook, the API and a
/// stylesheet were compressed). A fixed threshold at glibc's default, 128 KiB, keeps every block
/// that large in a mapping of its own that goes back to the system when freed; it costs a
/// mapping per compression, which measures as nothing beside the compression itself.
/// MALLOC_MMAP_THRESHOLD_ or a GLIBC_TUNABLES mmap_threshold, when set, still decides.
void keep_large_blocks_mapped() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr ||
      (tunables != nullptr && std::strstr(tunables, "mmap_threshold") != nullptr)) {
    return;
  }
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}

int serve(const app::Config& config) {
  limit_malloc_arenas(config.threads);
  keep_large_blocks_mapped();
  // Before log::init starts the console and shipper threads.
  if (!config.mongo_url.empty()) store::keep_mongoc_counters_in_memory();
  log::init(log_options(config));

  std::optional<app::Service> service;
  try {
    service.emplace(config);
  } catch (const view::TemplateError& error) {
    log::critical("template error: {}", error.what());
    return 2;
  } catch (const store::StoreError& error) {
    log::critical("cannot open the database: {}", error.what());
    return 2;
  }
  try {
    return server::run(server_options(config), service->application(), [&](std::uint16_t port) {
      log::info("{}", app::started_line(app::start_urls(config.host, port, config.mount,
                                                        log::first_ipv4_address())));
    });
  } catch (const std::exception& error) {
    const auto* listen = dynamic_cast<const server::ListenError*>(&error);
    if (listen && listen->kind == server::ListenError::Kind::address) {
      std::fprintf(stderr,
                   "cppapp: configuration error: --host (HOST) '%s' is not an address this "
                   "machine can listen on: %s\n",
                   config.host.c_str(), error.what());
      return 2;
    }
    log::critical("cannot listen on {}:{}: {}", config.host, config.port, error.what());
    return 1;
  }
}

/// Signals whose default action would end the process for a condition that is handled where
/// it happens: a write to a closed pipe or socket fails with EPIPE (the console counts it as a
/// drop, a connection ends), a write past RLIMIT_FSIZE fails with EFBIG (the store answers
/// "storage full"). The signals the server notes (server::kNotedSignals: SIGHUP, SIGUSR1,
/// SIGALRM…) are ignored until it does, so they cannot end start-up either.
void ignore_signals_handled_elsewhere() {
  for (int signal_number : {SIGPIPE, SIGXFSZ}) std::signal(signal_number, SIG_IGN);
  for (int signal_number : server::kNotedSignals) std::signal(signal_number, SIG_IGN);
}

}  // namespace

int main(int argc, char** argv) {
  ignore_signals_handled_elsewhere();
  if (const int tool_exit = app::run_tool(argc, argv); tool_exit >= 0) return tool_exit;
  const app::ConfigResult parsed = app::parse_config(argc, argv);
  if (!parsed.config) return parsed.exit_code;
  if (const auto problem = app::prepare_data_dir(*parsed.config)) {
    std::fprintf(stderr, "cppapp: configuration error: %s\n", problem->c_str());
    return 2;
  }
  const int code = serve(*parsed.config);
  // The server's signal sets restored the default actions as they ended; the last log lines
  // are still to be written.
  ignore_signals_handled_elsewhere();
  log::shutdown();
  return code;
}
