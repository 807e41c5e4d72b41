#include "log/console.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace cppapp::log {

void init_console(std::string_view level) {
  // A small async queue keeps console writes off the request threads.
  spdlog::init_thread_pool(8192, 1);
  auto logger = spdlog::create_async<spdlog::sinks::stdout_color_sink_mt>("cppapp");
  // winston's console shape: "<local time> - <coloured level>: <message>".
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e - %^%l%$: %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void shutdown() { spdlog::shutdown(); }

void access(const AccessRecord& record) {
  const double ms = std::chrono::duration<double, std::milli>(record.duration).count();
  spdlog::info("{} {} {} {}B {:.3f}ms {}", record.method, record.target, record.status, record.bytes,
               ms, record.client_ip);
}

std::string first_ipv4_address() {
  std::string found = "127.0.0.1";
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return found;
  for (ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET) continue;
    const auto* address = reinterpret_cast<const sockaddr_in*>(entry->ifa_addr);
    if ((ntohl(address->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &address->sin_addr, text, sizeof text);
    found = text;
    break;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace cppapp::log
