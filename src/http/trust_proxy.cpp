#include "http/trust_proxy.hpp"

#include <algorithm>
#include <cctype>

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

/// A plausible host[:port]: letters, digits, '.', '-', ':' and IPv6 brackets only. Anything else
/// (spaces, '@', '/') is dropped, so a client's Host cannot steer a redirect elsewhere.
bool plausible_authority(std::string_view host) {
  return !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
}

}  // namespace

std::string trusted_client_ip(const Headers& headers, std::string_view peer_address) {
  // proxy-addr with "trust all": the client is the leftmost address of X-Forwarded-For.
  const std::string_view client = first_list_item(headers.value_or_empty("X-Forwarded-For"));
  return std::string(client.empty() ? peer_address : client);
}

std::string nearest_client_ip(const Headers& headers, std::string_view peer_address) {
  std::string_view last;
  for (const auto& field : headers.fields()) {
    if (!iequals(field.name, "X-Forwarded-For")) continue;
    const std::string_view value = field.value;
    const std::string_view item = trim(value.substr(value.rfind(',') + 1));
    if (!item.empty()) last = item;
  }
  return std::string(last.empty() ? peer_address : last);
}

void apply_trust_proxy(Request& request, std::string_view peer_address) {
  request.client_ip = trusted_client_ip(request.headers, peer_address);
  request.nearest_client_ip = nearest_client_ip(request.headers, peer_address);

  const std::string_view proto =
      first_list_item(request.headers.value_or_empty("X-Forwarded-Proto"));
  // Only the two schemes a proxy may mean: the value ends up in redirect Locations.
  request.protocol = iequals(proto, "https") ? "https" : "http";

  std::string_view host = first_list_item(request.headers.value_or_empty("X-Forwarded-Host"));
  if (host.empty()) host = trim(request.headers.value_or_empty("Host"));
  request.host = plausible_authority(host) ? std::string(host) : std::string();
}

}  // namespace cppapp::http
