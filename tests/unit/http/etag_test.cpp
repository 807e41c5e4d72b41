// Expectations produced by etag 1.8.1 (Express's weak body tags and send's stat tags): read from
// tests/data/http/etag.json, which tests/conformance/from_js/expectations.js writes.
#include "http/etag.hpp"

#include "js_expectations.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cppapp::http {
namespace {

// A case's body: UTF-8 text, or bytes in hexadecimal.
std::string body_of(const boost::json::object& c) {
  if (const auto* text = c.if_contains("body")) return std::string(text->as_string());
  const std::string hex(c.at("body_hex").as_string());
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

TEST(EntityTagForBody, MatchesEtagPackage) {
  const auto cases = testing::js_expectations("etag").at("bodies").as_array();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const std::string body = body_of(c.as_object());
    EXPECT_EQ(entity_tag_for_body(body), testing::text(c, "tag")) << boost::json::serialize(c);
  }
}

TEST(EntityTagForBody, BinaryBodyWithNulBytes) {
  const std::string body("a\0b", 3);
  EXPECT_EQ(entity_tag_for_body(body).substr(0, 5), "W/\"3-");
  EXPECT_NE(entity_tag_for_body(body), entity_tag_for_body("a"));
}

TEST(EntityTagForFile, MatchesEtagPackage) {
  const auto cases = testing::js_expectations("etag").at("files").as_array();
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    EXPECT_EQ(entity_tag_for_file(boost::json::value_to<std::uint64_t>(c.at("size")),
                                  boost::json::value_to<std::int64_t>(c.at("mtime_ms"))),
              testing::text(c, "tag"))
        << boost::json::serialize(c);
  }
}

}  // namespace
}  // namespace cppapp::http
