// Expectations produced by etag 1.8.1 (Express's weak body tags and send's stat tags).
#include "http/etag.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cppapp::http {
namespace {

struct BodyCase {
  std::string body;
  std::string tag;
};

const BodyCase kBodies[] = {
    {std::string("", 0), "W/\"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk\""},
    {std::string("a", 1), "W/\"1-hvfkN/qlp/zhXR3cuerq6jd2Z7g\""},
    {std::string("hello world", 11), "W/\"b-Kq5sNclPz7QV2+lfQIuc6R7oRu0\""},
    {std::string(
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         1024),
     "W/\"400-1aPJvX50bJi0rqDpGU+5VVs8Iq0\""},
    {std::string("\xc3\xa9\xe4\xb8\xad", 5), "W/\"5-V/RI8ocvomL3F++5VF4+5P4w46E\""},
    {std::string("\x00\xff\x01\x02\x03", 5), "W/\"5-Mt6eyWCu2EICYyGgnW+rGCkuib8\""},
};

TEST(EntityTagForBody, MatchesEtagPackage) {
  for (const auto& c : kBodies) EXPECT_EQ(entity_tag_for_body(c.body), c.tag) << c.body.size();
}

TEST(EntityTagForBody, BinaryBodyWithNulBytes) {
  const std::string body("a\0b", 3);
  EXPECT_EQ(entity_tag_for_body(body).substr(0, 5), "W/\"3-");
  EXPECT_NE(entity_tag_for_body(body), entity_tag_for_body("a"));
}

struct FileCase {
  std::uint64_t size;
  std::int64_t mtime_ms;
  std::string tag;
};

const FileCase kFiles[] = {
    {0u, 0, "W/\"0-0\""},
    {20u, 1704164645678, "W/\"14-18cc820db2e\""},
    {123456789u, 1, "W/\"75bcd15-1\""},
    {1u, -5, "W/\"1--5\""},
};

TEST(EntityTagForFile, MatchesEtagPackage) {
  for (const auto& c : kFiles) EXPECT_EQ(entity_tag_for_file(c.size, c.mtime_ms), c.tag);
}

}  // namespace
}  // namespace cppapp::http
