// Expectations produced by fresh 0.5.2: read from tests/data/http/fresh.json, which
// tests/conformance/from_js/expectations.js writes.
#include "http/fresh.hpp"

#include "js_expectations.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cppapp::http {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Headers make_headers(const Fields& fields) {
  Headers headers;
  for (const auto& [name, value] : fields) headers.add(name, value);
  return headers;
}

// A case's header fields: [[name, value], ...].
Headers headers_of(const boost::json::value& fields) {
  Headers headers;
  for (const auto& field : fields.as_array()) {
    const auto& pair = field.as_array();
    headers.add(std::string(pair.at(0).as_string()), std::string(pair.at(1).as_string()));
  }
  return headers;
}

TEST(IsFresh, MatchesFreshPackage) {
  const auto cases = testing::js_expectations("fresh").at("cases").as_array();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    EXPECT_EQ(is_fresh(headers_of(c.at("request")), headers_of(c.at("response"))),
              c.at("fresh").as_bool())
        << boost::json::serialize(c);
  }
}

TEST(IsFresh, RepeatedIfNoneMatchFieldsAreJoinedLikeNode) {
  Headers request;
  request.add("If-None-Match", "\"a\"");
  request.add("if-none-match", "W/\"b\"");
  EXPECT_TRUE(is_fresh(request, make_headers({{"ETag", "W/\"b\""}})));
}

TEST(IsFresh, RepeatedIfModifiedSinceKeepsTheFirstLikeNode) {
  Headers request;
  request.add("If-Modified-Since", "Tue, 02 Jan 2024 03:04:05 GMT");
  request.add("If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT");
  EXPECT_TRUE(
      is_fresh(request, make_headers({{"Last-Modified", "Tue, 02 Jan 2024 03:04:05 GMT"}})));
}

}  // namespace
}  // namespace cppapp::http
