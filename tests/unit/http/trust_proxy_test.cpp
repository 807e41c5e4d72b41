#include "http/trust_proxy.hpp"

#include <gtest/gtest.h>

namespace cppapp::http {
namespace {

Request with_headers(std::initializer_list<std::pair<const char*, const char*>> headers) {
  Request request;
  for (const auto& [name, value] : headers) request.headers.add(name, value);
  return request;
}

TEST(TrustProxy, FallsBackToThePeerAndHost) {
  Request request = with_headers({{"Host", "example.test:8080"}});
  apply_trust_proxy(request, "10.0.0.9");
  EXPECT_EQ(request.client_ip, "10.0.0.9");
  EXPECT_EQ(request.protocol, "http");
  EXPECT_EQ(request.host, "example.test:8080");
}

TEST(TrustProxy, TakesTheLeftmostForwardedClient) {
  Request request = with_headers({{"X-Forwarded-For", " 203.0.113.7 , 10.0.0.2, 10.0.0.3"}});
  apply_trust_proxy(request, "10.0.0.9");
  EXPECT_EQ(request.client_ip, "203.0.113.7");
}

TEST(TrustProxy, TheNearestClientIsTheLastForwardedEntry) {
  // The proxy appends what it saw; whatever the client wrote comes before it.
  Request request = with_headers({{"X-Forwarded-For", "1.1.1.1, 2.2.2.2"},
                                  {"X-Forwarded-For", "203.0.113.7 , 198.51.100.4 "}});
  apply_trust_proxy(request, "10.0.0.9");
  EXPECT_EQ(request.client_ip, "1.1.1.1");
  EXPECT_EQ(request.nearest_client_ip, "198.51.100.4");
  Request direct = with_headers({});
  apply_trust_proxy(direct, "10.0.0.9");
  EXPECT_EQ(direct.nearest_client_ip, "10.0.0.9");
  Request empty_tail = with_headers({{"X-Forwarded-For", "203.0.113.7,"}});
  apply_trust_proxy(empty_tail, "10.0.0.9");
  EXPECT_EQ(empty_tail.nearest_client_ip, "10.0.0.9");
}

TEST(TrustProxy, ForwardedProtoAndHostWin) {
  Request request = with_headers({{"Host", "internal:8080"},
                                  {"X-Forwarded-Proto", "https, http"},
                                  {"X-Forwarded-Host", "www.example.test, proxy"}});
  apply_trust_proxy(request, "10.0.0.9");
  EXPECT_EQ(request.protocol, "https");
  EXPECT_EQ(request.host, "www.example.test");
}

TEST(TrustProxy, OnlyHttpAndHttpsAreTakenAsTheScheme) {
  for (const char* proto : {"HTTPS", "javascript", "\xff", "a b", "ftp"}) {
    Request request = with_headers({{"X-Forwarded-Proto", proto}});
    apply_trust_proxy(request, "10.0.0.9");
    EXPECT_EQ(request.protocol, std::string_view(proto) == "HTTPS" ? "https" : "http") << proto;
  }
}

TEST(TrustProxy, ImplausibleHostsAreDropped) {
  for (const char* host : {"evil.test/path", "user@evil.test", "a b", "\"quoted\""}) {
    Request request = with_headers({{"Host", host}});
    apply_trust_proxy(request, "10.0.0.9");
    EXPECT_EQ(request.host, "") << host;
  }
  Request ipv6 = with_headers({{"Host", "[::1]:8080"}});
  apply_trust_proxy(ipv6, "::1");
  EXPECT_EQ(ipv6.host, "[::1]:8080");
}

TEST(TrustProxy, EmptyForwardedForUsesThePeer) {
  Request request = with_headers({{"X-Forwarded-For", ""}});
  apply_trust_proxy(request, "192.0.2.1");
  EXPECT_EQ(request.client_ip, "192.0.2.1");
}

}  // namespace
}  // namespace cppapp::http
