#include "http/trust_proxy.hpp"

namespace cppapp::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// The part of a comma-separated header value before the first comma.
std::string_view first_list_item(std::string_view value) {
  return trim(value.substr(0, value.find(',')));
}

/// Host without its port; IPv6 literals keep their brackets (Express's req.hostname).
std::string_view strip_port(std::string_view host) {
  const std::size_t search_from = (!host.empty() && host.front() == '[') ? host.find(']') : 0;
  if (search_from == std::string_view::npos) return host;
  const std::size_t colon = host.find(':', search_from);
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

}  // namespace

std::string trusted_client_ip(const Headers& headers, std::string_view peer_address) {
  // proxy-addr with "trust all": the client is the leftmost address of X-Forwarded-For.
  const std::string_view client = first_list_item(headers.value_or_empty("X-Forwarded-For"));
  return std::string(client.empty() ? peer_address : client);
}

void apply_trust_proxy(Request& request, std::string_view peer_address) {
  request.client_ip = trusted_client_ip(request.headers, peer_address);

  const std::string_view proto = first_list_item(request.headers.value_or_empty("X-Forwarded-Proto"));
  request.protocol = proto.empty() ? "http" : std::string(proto);

  std::string_view host = first_list_item(request.headers.value_or_empty("X-Forwarded-Host"));
  if (host.empty()) host = trim(request.headers.value_or_empty("Host"));
  request.host = std::string(strip_port(host));
}

}  // namespace cppapp::http
