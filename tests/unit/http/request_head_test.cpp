#include "http/request_head.hpp"

#include <gtest/gtest.h>

#include <boost/url/parse.hpp>
#include <charconv>
#include <cstdint>
#include <random>
#include <string>

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

/// The Host check as Boost.URL alone decides it: the reference the quick path for plain names
/// must agree with.
bool plausible_by_boost_url(std::string_view host) {
  if (host.empty()) return true;
  const auto authority = boost::urls::parse_authority(host);
  if (!authority || authority->has_userinfo()) return false;
  if (!authority->has_port() || authority->port().empty()) return true;
  const std::string_view port = authority->port();
  std::uint32_t number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  return ec == std::errc{} && end == port.data() + port.size() && number <= 65535;
}

TEST(RequestHeadTest, PlainHostsAreJudgedAsBoostUrlJudgesThem) {
  // Short random hosts over the characters that matter to an authority, plain names (letters,
  // digits, -._~ and a port) most often.
  std::mt19937 random(11);
  constexpr std::string_view kPlain = "aZ09-._~:";
  constexpr std::string_view kOther = "[]@%!$&'()*+,;= /#?\t\x80";
  for (int round = 0; round < 20000; ++round) {
    std::string host;
    const std::size_t length = random() % 13;
    for (std::size_t i = 0; i < length; ++i) {
      host +=
          random() % 8 == 0 ? kOther[random() % kOther.size()] : kPlain[random() % kPlain.size()];
    }
    if (round % 3 == 0) host = "h" + host + ":" + std::to_string(random() % 200000);
    FramingFields fields;
    fields.host = {host};
    EXPECT_EQ(status_of(fields) == 0, plausible_by_boost_url(host)) << host;
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

/// The detector's rule byte by byte: a space or tab right after a CR LF.
bool folded_by_reference(std::string_view head) {
  for (std::size_t i = 2; i < head.size(); ++i) {
    if (head[i - 2] == '\r' && head[i - 1] == '\n' && (head[i] == ' ' || head[i] == '\t'))
      return true;
  }
  return false;
}

TEST(FoldDetectorTest, AgreesWithTheByteRuleHoweverTheHeadIsCut) {
  std::mt19937 random(5);
  constexpr std::string_view kBytes = "\r\n \tab:";
  for (int round = 0; round < 20000; ++round) {
    std::string head;
    const std::size_t length = random() % 24;
    for (std::size_t i = 0; i < length; ++i) head += kBytes[random() % kBytes.size()];
    FoldDetector detector;
    std::size_t at = 0;
    while (at < head.size()) {
      const std::size_t piece = 1 + random() % 4;
      detector.feed(std::string_view(head).substr(at, piece));
      at += piece;
    }
    if (round % 5 == 0) detector.feed("");
    EXPECT_EQ(detector.found(), folded_by_reference(head)) << testing::PrintToString(head);
  }
}

}  // namespace
}  // namespace cppapp::http
