#include "server/access_log.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cppapp::server {
namespace {

http::Headers with_request_id(std::string_view id) {
  http::Headers headers;
  headers.set("X-Request-Id", id);
  return headers;
}

TEST(AccessLogTest, APlainRequestIdIsKept) {
  EXPECT_EQ(request_id_for(with_request_id("abc-123_x.y:z")), "abc-123_x.y:z");
}

TEST(AccessLogTest, AnythingElseGetsAFreshId) {
  for (const std::string& given :
       {std::string("a b"), std::string("<script>"), std::string(129, 'a')}) {
    const std::string id = request_id_for(with_request_id(given));
    EXPECT_NE(id, given);
    EXPECT_FALSE(id.empty());
  }
  EXPECT_FALSE(request_id_for(http::Headers{}).empty());
}

TEST(AccessLogTest, TheFactsSplitTheTargetAndTrustTheProxy) {
  http::Request request;
  request.method = "GET";
  request.target = "/app1/x?a=1";
  request.id = "id";
  request.headers.set("User-Agent", "ua");
  const AccessFacts facts(request, "10.0.0.2");
  EXPECT_EQ(facts.path(), "/app1/x");
  EXPECT_EQ(facts.query(), "a=1");
  EXPECT_EQ(facts.client_ip, "10.0.0.2");
  EXPECT_EQ(facts.user_agent, "ua");
  const AccessFacts unread = AccessFacts::unread("10.0.0.3");
  EXPECT_EQ(unread.method, "-");
  EXPECT_EQ(unread.path(), "-");
  EXPECT_EQ(unread.query(), "");
  EXPECT_EQ(unread.client_ip, "10.0.0.3");
}

}  // namespace
}  // namespace cppapp::server
