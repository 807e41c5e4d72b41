// parse_body against body-parser 1.20.3's decisions: which requests it parses, and the status and
// error type of each failure.
#include "http/body_parser.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json/serialize.hpp>

#include <string>

namespace {

using cppapp::http::BodyError;
using cppapp::http::BodyKind;
using cppapp::http::BodyOptions;
using cppapp::http::parse_body;
using cppapp::http::parse_byte_size;
using cppapp::http::Request;

constexpr unsigned kBoth =
    static_cast<unsigned>(BodyKind::urlencoded) | static_cast<unsigned>(BodyKind::json);

Request make_request(std::string content_type, std::string body,
                     std::string content_encoding = "") {
  Request r;
  r.method = "POST";
  if (!content_type.empty()) r.headers.add("Content-Type", content_type);
  if (!content_encoding.empty()) r.headers.add("Content-Encoding", content_encoding);
  r.headers.add("Content-Length", std::to_string(body.size()));
  r.body = std::move(body);
  return r;
}

std::string parsed(const Request& r, unsigned kinds = kBoth) {
  return boost::json::serialize(parse_body(r, kinds, BodyOptions{}));
}

BodyError error_of(const Request& r, const BodyOptions& options = {}, unsigned kinds = kBoth) {
  try {
    parse_body(r, kinds, options);
  } catch (const BodyError& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return BodyError(0, "", "");
}

std::string compress(const std::string& data, bool gzip) {
  z_stream s{};
  deflateInit2(&s, 9, Z_DEFLATED, gzip ? 16 + MAX_WBITS : MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&s, data.size()), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  deflate(&s, Z_FINISH);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

TEST(BodyParser, ParsesFormsAndJson) {
  EXPECT_EQ(parsed(make_request("application/x-www-form-urlencoded", "name=Jane+Doe&m[a]=1")),
            R"({"name":"Jane Doe","m":{"a":"1"}})");
  EXPECT_EQ(parsed(make_request("Application/X-WWW-Form-Urlencoded; charset=UTF-8", "a=1")),
            R"({"a":"1"})");
  EXPECT_EQ(parsed(make_request("application/json", R"( {"a":[1,true,null]})")),
            R"({"a":[1,true,null]})");
  EXPECT_EQ(parsed(make_request("application/json; charset=utf-8", "[1]")), "[1]");
  EXPECT_EQ(parsed(make_request("application/json", "")), "{}");
  EXPECT_EQ(parsed(make_request("application/x-www-form-urlencoded", "")), "{}");
}

TEST(BodyParser, HasBodyIsTypeIsRule) {
  Request request;
  EXPECT_FALSE(cppapp::http::has_body(request));
  request.body = "stray";  // bytes without framing headers are no body
  EXPECT_FALSE(cppapp::http::has_body(request));
  request.headers.set("Content-Length", "0");  // a number, even 0: body-parser reads it
  EXPECT_TRUE(cppapp::http::has_body(request));
  request.headers.set("Content-Length", " 12 ");
  EXPECT_TRUE(cppapp::http::has_body(request));
  request.headers.set("Content-Length", "twelve");
  EXPECT_FALSE(cppapp::http::has_body(request));
  request.headers.erase("Content-Length");
  request.headers.set("Transfer-Encoding", "chunked");
  EXPECT_TRUE(cppapp::http::has_body(request));
}

TEST(BodyParser, UnhandledRequestsLeaveAnEmptyObject) {
  EXPECT_EQ(parsed(make_request("text/plain", "a=1")), "{}");
  EXPECT_EQ(parsed(make_request("", "a=1")), "{}");
  EXPECT_EQ(parsed(make_request("application/json", "{\"a\":1}"),
                   static_cast<unsigned>(BodyKind::urlencoded)),
            "{}");
  EXPECT_EQ(parsed(make_request("application/x-www-form-urlencoded", "a=1"),
                   static_cast<unsigned>(BodyKind::json)),
            "{}");
  EXPECT_EQ(parsed(make_request("application/vnd.api+json", "{}")), "{}");
  EXPECT_EQ(parsed(make_request("not a type", "a=1")), "{}");
  Request no_length = make_request("application/json", "{\"a\":1}");
  no_length.headers.erase("Content-Length");
  EXPECT_EQ(parsed(no_length), "{}");  // type-is hasBody: no Content-Length, no Transfer-Encoding
  no_length.headers.add("Transfer-Encoding", "chunked");
  EXPECT_EQ(parsed(no_length), R"({"a":1})");
}

TEST(BodyParser, UnsupportedCharsetIs415) {
  BodyError e = error_of(make_request("application/x-www-form-urlencoded; charset=latin1", "a=1"));
  EXPECT_EQ(e.status, 415u);
  EXPECT_EQ(e.type, "charset.unsupported");
  EXPECT_STREQ(e.what(), "unsupported charset \"LATIN1\"");
  e = error_of(make_request("application/json; charset=iso-8859-1", "{}"));
  EXPECT_EQ(e.status, 415u);
  EXPECT_STREQ(e.what(), "unsupported charset \"ISO-8859-1\"");
  // A malformed parameter list makes body-parser fall back to utf-8.
  EXPECT_EQ(parsed(make_request("application/json; charset", "{}")), "{}");
}

TEST(BodyParser, UnsupportedEncodingIs415) {
  const BodyError e = error_of(make_request("application/json", "{}", "br"));
  EXPECT_EQ(e.status, 415u);
  EXPECT_EQ(e.type, "encoding.unsupported");
  EXPECT_STREQ(e.what(), "unsupported content encoding \"br\"");
}

TEST(BodyParser, MalformedJsonIs400) {
  for (const char* body : {"{", "{\"a\":}", "\"string\"", "1", "null", " true", "   ", "[1,]"}) {
    const BodyError e = error_of(make_request("application/json", body));
    EXPECT_EQ(e.status, 400u) << body;
    EXPECT_EQ(e.type, "entity.parse.failed") << body;
  }
}

TEST(BodyParser, LimitIs413) {
  BodyOptions small;
  small.limit = 10;
  EXPECT_NO_THROW(parse_body(make_request("application/json", "[1,2,3,44]"), kBoth, small));
  const BodyError e = error_of(make_request("application/json", "[1,2,3,444]"), small);
  EXPECT_EQ(e.status, 413u);
  EXPECT_EQ(e.type, "entity.too.large");
}

TEST(BodyParser, InflatesGzipAndDeflate) {
  EXPECT_EQ(parsed(make_request("application/json", compress("{\"a\":1}", true), "gzip")),
            R"({"a":1})");
  EXPECT_EQ(
      parsed(make_request("application/x-www-form-urlencoded", compress("a=1", false), "Deflate")),
      R"({"a":"1"})");
  const BodyError e = error_of(make_request("application/json", "not gzip", "gzip"));
  EXPECT_EQ(e.status, 400u);
  const std::string truncated = compress("{\"a\":1}", true).substr(0, 8);
  EXPECT_EQ(error_of(make_request("application/json", truncated, "gzip")).status, 400u);
}

TEST(BodyParser, GzipBombStopsAtTheLimit) {
  // 64 MiB of spaces compress to about 64 kB: inflation must stop near the 100 kB limit.
  const std::string bomb = compress(std::string(64u << 20, ' '), true);
  ASSERT_LT(bomb.size(), 100u * 1024);
  const BodyError e = error_of(make_request("application/json", bomb, "gzip"));
  EXPECT_EQ(e.status, 413u);
  EXPECT_EQ(e.type, "entity.too.large");
}

TEST(BodyParser, TooManyParametersIs413) {
  std::string body = "a=1";
  for (int i = 0; i < 1000; ++i) body += "&a=1";
  const BodyError e = error_of(make_request("application/x-www-form-urlencoded", body));
  EXPECT_EQ(e.status, 413u);
  EXPECT_EQ(e.type, "parameters.too.many");
}

TEST(BodyParser, ByteSizesFollowTheBytesPackage) {
  EXPECT_EQ(parse_byte_size("100kb"), 102400u);
  EXPECT_EQ(parse_byte_size("1mb"), 1048576u);
  EXPECT_EQ(parse_byte_size("512"), 512u);
  EXPECT_EQ(parse_byte_size("1.5kb"), 1536u);
  EXPECT_EQ(parse_byte_size("100 KB"), 102400u);
  EXPECT_EQ(parse_byte_size("  12"), 12u);
  EXPECT_EQ(parse_byte_size("12b"), 12u);
  EXPECT_EQ(parse_byte_size("0.5mb"), 524288u);
  EXPECT_EQ(parse_byte_size("1tb"), 1099511627776u);
  EXPECT_EQ(parse_byte_size("abc"), std::nullopt);
  EXPECT_EQ(parse_byte_size("-5"), std::nullopt);  // bytes gives -5: not a usable size
  EXPECT_EQ(parse_byte_size(""), std::nullopt);
}

}  // namespace
