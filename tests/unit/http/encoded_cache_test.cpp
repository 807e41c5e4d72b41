#include "http/encoded_cache.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include "http/compression.hpp"

namespace cppapp::http {
namespace {

std::string gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  inflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

Response css(std::string body, std::string etag, unsigned status = 200) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.set("Content-Type", "text/css; charset=UTF-8");
  response.headers.set("ETag", etag);
  return response;
}

Request gzip_request() {
  Request request;
  request.method = "GET";
  request.headers.set("Accept-Encoding", "gzip");
  return request;
}

TEST(EncodedCache, FindsWhatWasInsertedPerEncoding) {
  EncodedCache cache(1024);
  cache.insert("W/\"a\"", Encoding::gzip, std::make_shared<const std::string>("zipped"));
  ASSERT_NE(cache.find("W/\"a\"", Encoding::gzip), nullptr);
  EXPECT_EQ(*cache.find("W/\"a\"", Encoding::gzip), "zipped");
  EXPECT_EQ(cache.find("W/\"a\"", Encoding::br), nullptr);
  EXPECT_EQ(cache.find("W/\"b\"", Encoding::gzip), nullptr);
}

TEST(EncodedCache, EvictsTheOldestBeyondItsSize) {
  EncodedCache cache(10);
  cache.insert("1", Encoding::gzip, std::make_shared<const std::string>("aaaaaa"));
  cache.insert("2", Encoding::gzip, std::make_shared<const std::string>("bbbbbb"));
  EXPECT_EQ(cache.find("1", Encoding::gzip), nullptr);
  EXPECT_NE(cache.find("2", Encoding::gzip), nullptr);
  EXPECT_LE(cache.bytes(), 10u);
  cache.insert("3", Encoding::gzip, std::make_shared<const std::string>(std::string(11, 'x')));
  EXPECT_EQ(cache.find("3", Encoding::gzip), nullptr);  // larger than the whole cache
}

TEST(EncodedCache, CompressionReusesTheBodyOfTheSameEtag) {
  EncodedCache cache(1 << 20);
  const std::string first(4000, 'a');
  Response response = css(first, "W/\"fa0-1\"");
  compress_response(gzip_request(), response, {.cache = &cache});
  EXPECT_EQ(gunzip(response.body), first);

  // Same ETag: the stored bytes are served (the body is not compressed again).
  Response again = css(std::string(4000, 'b'), "W/\"fa0-1\"");
  compress_response(gzip_request(), again, {.cache = &cache});
  EXPECT_EQ(again.body, response.body);
  EXPECT_EQ(again.headers.value_or_empty("Content-Encoding"), "gzip");

  // Another ETag, or a partial answer, is compressed on its own.
  Response other = css(std::string(4000, 'c'), "W/\"fa0-2\"");
  compress_response(gzip_request(), other, {.cache = &cache});
  EXPECT_EQ(gunzip(other.body), std::string(4000, 'c'));
  Response partial = css(std::string(2000, 'd'), "W/\"fa0-1\"", 206);
  compress_response(gzip_request(), partial, {.cache = &cache});
  EXPECT_EQ(gunzip(partial.body), std::string(2000, 'd'));
}

TEST(EncodedCache, WithoutACacheNothingIsReused) {
  Response response = css(std::string(4000, 'a'), "W/\"x\"");
  compress_response(gzip_request(), response, {});
  Response again = css(std::string(4000, 'b'), "W/\"x\"");
  compress_response(gzip_request(), again, {});
  EXPECT_EQ(gunzip(again.body), std::string(4000, 'b'));
}

}  // namespace
}  // namespace cppapp::http
