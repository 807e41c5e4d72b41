#include "http/request_head.hpp"

#include <gtest/gtest.h>

namespace cppapp::http {
namespace {

FramingFields with_host() {
  FramingFields fields;
  fields.host = {"localhost"};
  return fields;
}

unsigned status_of(const FramingFields& fields) {
  const auto refusal = check_request_head(fields);
  return refusal ? refusal->status : 0;
}

TEST(RequestHeadTest, PlainRequestsPass) {
  EXPECT_EQ(status_of(with_host()), 0u);
  FramingFields chunked = with_host();
  chunked.transfer_encoding = {"Chunked"};
  EXPECT_EQ(status_of(chunked), 0u);
  FramingFields length = with_host();
  length.content_length = {"12"};
  EXPECT_EQ(status_of(length), 0u);
}

TEST(RequestHeadTest, OnlyOneFinalChunkedFramesABody) {
  const std::pair<std::vector<std::string_view>, unsigned> cases[] = {
      {{"chunked, chunked"}, 400},
      {{"chunked", "chunked"}, 400},
      {{"chunked, gzip"}, 400},
      {{"identity"}, 400},
      {{""}, 400},
      {{"chunked,"}, 400},
      {{"chunked;x=1"}, 400},
      {{"gzip, chunked"}, 501},
      {{"gzip", "chunked"}, 501},
      {{"xchunked"}, 400},
      {{" chunked "}, 0},
  };
  for (const auto& [values, status] : cases) {
    FramingFields fields = with_host();
    fields.transfer_encoding = values;
    EXPECT_EQ(status_of(fields), status) << values.front();
  }
}

TEST(RequestHeadTest, TransferEncodingIsRefusedWithContentLengthOrInHttp10) {
  FramingFields both = with_host();
  both.transfer_encoding = {"chunked"};
  both.content_length = {"2"};
  EXPECT_EQ(status_of(both), 400u);
  FramingFields old = with_host();
  old.version = 10;
  old.transfer_encoding = {"chunked"};
  EXPECT_EQ(status_of(old), 400u);
}

TEST(RequestHeadTest, ContentLengthIsOneNumber) {
  for (const std::vector<std::string_view>& values :
       {std::vector<std::string_view>{"2", "2"}, {"2, 2"}, {"-1"}, {""}, {"0x2"}}) {
    FramingFields fields = with_host();
    fields.content_length = values;
    EXPECT_EQ(status_of(fields), 400u) << values.front();
  }
}

TEST(RequestHeadTest, HostIsRequiredOnceInHttp11) {
  FramingFields none;
  EXPECT_EQ(status_of(none), 400u);
  none.version = 10;
  EXPECT_EQ(status_of(none), 0u);
  FramingFields two = with_host();
  two.host.push_back("localhost");
  EXPECT_EQ(status_of(two), 400u);
  for (std::string_view bad : {"a b", "a/b", "a@b", "a\tb", "a:80x", "a:b:c", "[zz]", "-:-",
                               "a:99999999", "a:65536", "[::1", "u:p@a:80", "a#b", "a?b"}) {
    FramingFields fields;
    fields.host = {bad};
    EXPECT_EQ(status_of(fields), 400u) << bad;
  }
  for (std::string_view good : {"", "example.com:8080", "[::1]:80", "127.0.0.1", "a:65535",
                                "a:", "xn--bcher-kva.example", "my_host.local:1", "%41.example"}) {
    FramingFields fields;
    fields.host = {good};
    EXPECT_EQ(status_of(fields), 0u) << good;
  }
}

TEST(RequestHeadTest, OnlyHundredContinueIsExpected) {
  FramingFields fields = with_host();
  fields.expect = {"100-CONTINUE"};
  EXPECT_EQ(status_of(fields), 0u);
  for (std::string_view bad : {"fancy", "100-continue, fancy", "", "100-continue=1"}) {
    fields.expect = {bad};
    EXPECT_EQ(status_of(fields), 417u) << bad;
  }
}

TEST(FoldDetectorTest, FindsALineStartingWithWhitespaceAcrossPieces) {
  FoldDetector whole;
  whole.feed("GET / HTTP/1.1\r\nHost: x\r\nX: y\r\n\r\n");
  EXPECT_FALSE(whole.found());
  FoldDetector folded;
  folded.feed("GET / HTTP/1.1\r\nX: y\r\n");
  EXPECT_FALSE(folded.found());
  folded.feed("\tz\r\n\r\n");
  EXPECT_TRUE(folded.found());
  FoldDetector split;
  split.feed("GET / HTTP/1.1\r");
  split.feed("\n Host: x\r\n\r\n");
  EXPECT_TRUE(split.found());
  FoldDetector inside;
  inside.feed("GET / HTTP/1.1\r\nX: a b\r\n\r\n");
  EXPECT_FALSE(inside.found());
}

}  // namespace
}  // namespace cppapp::http
