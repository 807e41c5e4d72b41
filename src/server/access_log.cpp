#include "server/access_log.hpp"

#include <algorithm>
#include <cctype>

#include "app/application.hpp"
#include "http/trust_proxy.hpp"
#include "log/logger.hpp"

namespace cppapp::server {

std::string request_id_for(const http::Headers& headers) {
  const std::string_view given = headers.value_or_empty("X-Request-Id");
  const bool plain =
      !given.empty() && given.size() <= 128 && std::all_of(given.begin(), given.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
               c == ':';
      });
  return plain ? std::string(given) : log::new_request_id();
}

AccessFacts::AccessFacts(const http::Request& request, std::string_view peer)
    : method(request.method),
      target(request.target),
      client_ip(http::trusted_client_ip(request.headers, peer)),
      user_agent(request.headers.value_or_empty("User-Agent")),
      request_id(request.id) {}

AccessFacts AccessFacts::unread(std::string_view peer) {
  AccessFacts facts;
  // (assign(count, char): GCC 12 at -O2 warns -Wrestrict, wrongly, on assigning a literal here.)
  facts.method.assign(1, '-');
  facts.target.assign(1, '-');
  facts.client_ip = std::string(peer);
  return facts;
}

std::string_view AccessFacts::path() const {
  return std::string_view(target).substr(0, target.find('?'));
}

std::string_view AccessFacts::query() const {
  const std::size_t question = target.find('?');
  return question == std::string::npos ? std::string_view()
                                       : std::string_view(target).substr(question + 1);
}

void log_access(const app::Application& app, const AccessFacts& facts, std::string_view route,
                unsigned status, std::uint64_t bytes, std::chrono::nanoseconds duration) {
  if (!app.access_logged(route)) return;
  log::access({.method = facts.method,
               .path = facts.path(),
               .query = facts.query(),
               .status = status,
               .bytes = bytes,
               .duration = duration,
               .client_ip = facts.client_ip,
               .user_agent = facts.user_agent,
               .request_id = facts.request_id});
}

}  // namespace cppapp::server
