// The security headers travel as one pre-built block of wire text; these tests pin that the
// block says exactly what the header list says and that it still replaces a handler's own value.
#include "http/security_headers.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cppapp::http {
namespace {

TEST(SecurityHeaders, BlockIsTheListInWireForm) {
  std::string expected;
  for (const auto& field : default_security_headers())
    expected += field.name + ": " + field.value + "\r\n";
  EXPECT_EQ(security_header_block(), expected);
  EXPECT_EQ(default_security_headers().size(), 12u);
}

TEST(SecurityHeaders, ResponseCarriesTheBlockAndKeepsItsOwnFields) {
  Response response;
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  response.headers.set("ETag", "W/\"1-x\"");
  apply_security_headers(response);
  EXPECT_EQ(response.header_block, security_header_block());
  EXPECT_EQ(response.headers.fields().size(), 2u);
  EXPECT_EQ(response.headers.value_or_empty("ETag"), "W/\"1-x\"");
}

TEST(SecurityHeaders, BlockReplacesSameNamedFieldsAndXPoweredBy) {
  Response response;
  response.headers.set("content-security-policy", "default-src 'none'");
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("X-Powered-By", "Express");
  response.headers.set("Cache-Control", "no-store");
  apply_security_headers(response);
  // Only the block's values remain for its names, so no header is sent twice.
  EXPECT_FALSE(response.headers.has("Content-Security-Policy"));
  EXPECT_FALSE(response.headers.has("X-Frame-Options"));
  EXPECT_FALSE(response.headers.has("X-Powered-By"));
  EXPECT_EQ(response.headers.value_or_empty("Cache-Control"), "no-store");
  EXPECT_NE(response.header_block.find("X-Frame-Options: SAMEORIGIN\r\n"), std::string::npos);
}

}  // namespace
}  // namespace cppapp::http
