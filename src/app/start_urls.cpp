#include "app/start_urls.hpp"

namespace cppapp::app {

std::vector<std::string> start_urls(const std::string& host, std::uint16_t port,
                                    const std::string& mount, const std::string& machine_address) {
  const auto url = [&](const std::string& address) {
    const bool ipv6 = address.find(':') != std::string::npos;
    return "http://" + (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port) + mount +
           "/";
  };
  const bool wildcard = host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
  if (!wildcard) return {url(host.front() == '[' ? host.substr(1, host.size() - 2) : host)};
  std::vector<std::string> urls{url(host == "::" || host == "[::]" ? "::1" : "127.0.0.1")};
  if (!machine_address.empty() && machine_address != "127.0.0.1")
    urls.push_back(url(machine_address));
  return urls;
}

std::string started_line(const std::vector<std::string>& urls) {
  std::string line = "Started server: " + urls.front();
  for (std::size_t i = 1; i < urls.size(); ++i) line += (i == 1 ? " (also " : ", ") + urls[i];
  if (urls.size() > 1) line += ")";
  return line;
}

}  // namespace cppapp::app
