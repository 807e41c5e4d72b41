#include "http/security_headers.hpp"

#include <algorithm>

namespace cppapp::http {

const std::vector<Headers::Field>& default_security_headers() {
  static const std::vector<Headers::Field> headers = {
      {"Content-Security-Policy",
       "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';"
       "frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';"
       "script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Origin-Agent-Cluster", "?1"},
      {"Referrer-Policy", "no-referrer"},
      {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-DNS-Prefetch-Control", "off"},
      {"X-Download-Options", "noopen"},
      {"X-Frame-Options", "SAMEORIGIN"},
      {"X-Permitted-Cross-Domain-Policies", "none"},
      {"X-XSS-Protection", "0"},
  };
  return headers;
}

const std::string& security_header_block() {
  static const std::string block = [] {
    std::string text;
    for (const auto& field : default_security_headers()) {
      text += field.name;
      text += ": ";
      text += field.value;
      text += "\r\n";
    }
    return text;
  }();
  return block;
}

void apply_security_headers(Response& response) {
  const auto& policy = default_security_headers();
  // The block replaces whatever a handler set under the same names, as helmet's set() would.
  response.headers.erase_if([&](const Headers::Field& field) {
    if (iequals(field.name, "X-Powered-By")) return true;
    return std::any_of(policy.begin(), policy.end(),
                       [&](const Headers::Field& own) { return iequals(field.name, own.name); });
  });
  response.header_block = security_header_block();
}

}  // namespace cppapp::http
