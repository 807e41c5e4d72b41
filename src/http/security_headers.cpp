#include "http/security_headers.hpp"

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

void apply_security_headers(Headers& headers, const std::vector<Headers::Field>& policy) {
  headers.erase("X-Powered-By");
  for (const auto& field : policy) headers.set(field.name, field.value);
}

}  // namespace cppapp::http
