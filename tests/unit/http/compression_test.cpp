// Expectations produced by compression 1.8.0 (negotiator 0.6.4, compressible 2.0.18, mime-db
// 1.54.0) behind Express 4: the headers it leaves and whether it compressed.
#include "http/compression.hpp"
#include "http/send.hpp"

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace cppapp::http {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields fields_of(const Headers& headers) {
  Fields out;
  for (const auto& f : headers.fields()) out.emplace_back(f.name, f.value);
  return out;
}

std::string inflate_any(std::string_view data, int window_bits) {
  z_stream stream{};
  if (inflateInit2(&stream, window_bits) != Z_OK) return "<init failed>";
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  char buffer[16384];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  return status == Z_STREAM_END ? out : "<inflate failed>";
}

std::string unbrotli(std::string_view data) {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  std::string out;
  const auto* next_in = reinterpret_cast<const uint8_t*>(data.data());
  std::size_t available_in = data.size();
  BrotliDecoderResult result = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    uint8_t buffer[16384];
    uint8_t* next_out = buffer;
    std::size_t available_out = sizeof buffer;
    result = BrotliDecoderDecompressStream(state, &available_in, &next_in, &available_out,
                                           &next_out, nullptr);
    out.append(reinterpret_cast<char*>(buffer), sizeof buffer - available_out);
  }
  BrotliDecoderDestroyInstance(state);
  return result == BROTLI_DECODER_RESULT_SUCCESS ? out : "<brotli failed>";
}

std::string decode(std::string_view encoding, std::string_view data) {
  if (encoding == "gzip") return inflate_any(data, 15 + 16);
  if (encoding == "deflate") return inflate_any(data, 15);
  if (encoding == "br") return unbrotli(data);
  return std::string(data);
}

struct NegotiationCase {
  std::string accept_encoding;
  Encoding expected;
};

const NegotiationCase kNegotiation[] = {
    {"gzip, deflate, br", Encoding::br},
    {"gzip, br", Encoding::br},
    {"br;q=0.9, gzip", Encoding::gzip},
    {"gzip;q=1, br;q=0.9", Encoding::gzip},
    {"deflate", Encoding::deflate},
    {"deflate, gzip", Encoding::gzip},
    {"deflate, identity", Encoding::deflate},
    {"identity, deflate", Encoding::identity},
    {"*", Encoding::br},
    {"*;q=0", Encoding::identity},
    {"identity;q=0", Encoding::identity},
    {"identity;q=0, *;q=0", Encoding::identity},
    {"gzip;q=0", Encoding::identity},
    {"br;q=0, gzip;q=0, deflate;q=0", Encoding::identity},
    {"GZIP", Encoding::gzip},
    {"Br", Encoding::br},
    {"x-gzip", Encoding::identity},
    {"compress, gzip", Encoding::gzip},
    {"gzip;q=0.5, deflate;q=0.5", Encoding::gzip},
    {"deflate;q=0.5, gzip;q=0.5", Encoding::gzip},
    {"deflate;q=0.8, identity;q=0.8", Encoding::deflate},
    {"identity;q=0.8, deflate;q=0.8", Encoding::identity},
    {"gzip;q=abc", Encoding::identity},
    {"gzip;q=", Encoding::identity},
    {"gzip;q", Encoding::identity},
    {"gzip; q=0.5, br; q=0.4", Encoding::gzip},
    {"gzip;q=0.5;level=1", Encoding::gzip},
    {"gzip;level=1;q=0.1, deflate;q=0.2", Encoding::deflate},
    {"gzip;q=1e-1, deflate;q=.05", Encoding::gzip},
    {"gzip;q=2, br", Encoding::gzip},
    {"gzip;q=Infinity, br;q=2", Encoding::gzip},
    {"gzip;q=-1", Encoding::identity},
    {"gzip;q=-1, deflate", Encoding::deflate},
    {",,gzip,,", Encoding::gzip},
    {" ", Encoding::identity},
    {"gzip deflate", Encoding::identity},
    {"br;q=0.5, *;q=0.6", Encoding::gzip},
    {"*;q=0.5, deflate;q=0.6", Encoding::deflate},
    {"deflate, *;q=0.1", Encoding::deflate},
    {"identity", Encoding::identity},
    {"identity;q=1, gzip;q=0.5", Encoding::identity},
    {"gzip;q=0.000", Encoding::identity},
    {"gzip;q=0.001", Encoding::gzip},
    {"deflate;q=0.5, br;q=0.5, gzip;q=0.4", Encoding::br},
    {"br;q=0.1, gzip;q=0.1, deflate;q=0.1, identity;q=0.1", Encoding::br},
    {";q=1", Encoding::identity},
    {"gzip;Q=0", Encoding::gzip},
    {"deflate;q=0.3, *;q=0.3", Encoding::br},
};

TEST(NegotiateEncoding, MatchesCompressionWithNegotiator064) {
  for (const auto& c : kNegotiation) {
    EXPECT_EQ(encoding_name(negotiate_encoding(c.accept_encoding)), encoding_name(c.expected))
        << c.accept_encoding;
  }
}

TEST(NegotiateEncoding, HostileHeadersDoNotBlowUp) {
  std::string many;
  for (int i = 0; i < 50000; ++i) many += "x-enc-" + std::to_string(i) + ";q=0.5,";
  EXPECT_EQ(negotiate_encoding(many), Encoding::identity);
  EXPECT_EQ(negotiate_encoding(many + "gzip;q=0.6"), Encoding::gzip);
  EXPECT_EQ(negotiate_encoding(std::string(100000, ';')), Encoding::identity);
  EXPECT_EQ(negotiate_encoding(std::string("gzip;q=0.5\nx")), Encoding::identity);
}

struct CompressibleCase {
  std::string content_type;
  bool compressible;
};

const CompressibleCase kCompressible[] = {
    {"text/html", true},
    {"text/html; charset=utf-8", true},
    {"TEXT/HTML", true},
    {"application/json", true},
    {"application/javascript; charset=UTF-8", true},
    {"image/png", false},
    {"image/svg+xml", true},
    {"application/octet-stream", true},
    {"text/x-custom", true},
    {"application/vnd.foo+json", true},
    {"application/foo+xml", true},
    {"application/x-foo+text", true},
    {"font/woff2", false},
    {"font/ttf", true},
    {"application/wasm", true},
    {"text/event-stream", true},
    {" text/css ", true},
    {"text/css;x", true},
    {"", false},
    {"application/pdf", false},
    {"image/x-icon", true},
    {"application/xml", true},
    {"application/zip", false},
    {"video/mp4", false},
    {"text/csv", true},
    {"text/markdown", true},
    {"application/manifest+json", true},
    {"image/bmp", true},
    {"application/x-javascript", true},
    {"multipart/form-data", false},
    {"constructor", false},
    {"text", false},
    {"+json", true},
};

TEST(IsCompressible, MatchesCompressible2018) {
  for (const auto& c : kCompressible)
    EXPECT_EQ(is_compressible(c.content_type), c.compressible) << c.content_type;
}

// The answer for the last type is remembered per thread: asking in any order, repeatedly, must
// give what a fresh lookup gives.
TEST(IsCompressible, RepeatedAndInterleavedQuestionsGetTheSameAnswers) {
  for (int round = 0; round < 3; ++round) {
    for (const auto& c : kCompressible) {
      EXPECT_EQ(is_compressible(c.content_type), c.compressible) << c.content_type;
      EXPECT_EQ(is_compressible(c.content_type), c.compressible) << c.content_type;
      EXPECT_FALSE(is_compressible("image/png"));
    }
  }
}

TEST(Encode, RoundTripsEveryEncoding) {
  std::mt19937 random(42);
  std::vector<std::string> inputs = {"", "a", std::string(1, '\0'), std::string(100000, 'z')};
  std::string noise(300000, '\0');
  for (char& c : noise) c = static_cast<char>(random() & 0xFF);
  inputs.push_back(noise);
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + " of some html <p>\n";
  inputs.push_back(text);
  for (const auto& input : inputs) {
    for (Encoding e : {Encoding::gzip, Encoding::deflate, Encoding::br, Encoding::identity}) {
      const std::string encoded = encode(e, input);
      EXPECT_EQ(decode(encoding_name(e), encoded), input)
          << encoding_name(e) << " " << input.size();
    }
  }
}

TEST(Encode, GzipHasGzipMagicAndDeflateHasZlibHeader) {
  const std::string gz = encode(Encoding::gzip, "hello hello hello");
  ASSERT_GE(gz.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  const std::string zl = encode(Encoding::deflate, "hello hello hello");
  ASSERT_GE(zl.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(zl[0]), 0x78);
}

struct ResponseCase {
  std::string name;
  std::string method;
  Fields request_headers;
  std::size_t body_size;
  Fields response_headers;
  Fields
      expected_headers;  // what Express sent, minus Content-Length/Transfer-Encoding (the writer's)
  bool compressed;
};

const ResponseCase kResponses[] = {
    {"BelowThreshold1023",
     "GET",
     {{"Accept-Encoding", "gzip, deflate, br"}},
     1023,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"3ff-SqR/+vOy3S8CQf4iIA/KiJgPiKs\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"3ff-SqR/+vOy3S8CQf4iIA/KiJgPiKs\""},
      {"Vary", "Accept-Encoding"}},
     false},
    {"AtThreshold1024",
     "GET",
     {{"Accept-Encoding", "gzip, deflate, br"}},
     1024,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"400-jspVRjHfnq0UUQ4acK5Ixw+bk4Q\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"400-jspVRjHfnq0UUQ4acK5Ixw+bk4Q\""},
      {"Vary", "Accept-Encoding"},
      {"Content-Encoding", "br"}},
     true},
    {"GzipOnly",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"},
      {"Content-Encoding", "gzip"}},
     true},
    {"DeflateOnly",
     "GET",
     {{"Accept-Encoding", "deflate"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"},
      {"Content-Encoding", "deflate"}},
     true},
    {"NoAcceptEncoding",
     "GET",
     {},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"}},
     false},
    {"EmptyAcceptEncoding",
     "GET",
     {{"Accept-Encoding", ""}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"}},
     false},
    {"IdentityOnly",
     "GET",
     {{"Accept-Encoding", "identity"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"}},
     false},
    {"NotCompressibleType",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "image/png; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "image/png; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     false},
    {"NoTransform",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Cache-Control", "public, no-transform"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Cache-Control", "public, no-transform"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     false},
    {"NoTransformNotAToken",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Cache-Control", "no-transformx"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Cache-Control", "no-transformx"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"},
      {"Content-Encoding", "gzip"}},
     true},
    {"AlreadyEncoded",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Content-Encoding", "gzip"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Content-Encoding", "gzip"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"}},
     false},
    {"ExplicitIdentityEncoding",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Content-Encoding", "identity"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Content-Encoding", "gzip"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"}},
     true},
    {"HeadRequest",
     "HEAD",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"}},
     false},
    {"ExistingVary",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Vary", "Origin"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Vary", "Origin, Accept-Encoding"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Content-Encoding", "gzip"}},
     true},
    {"ExistingVaryAlreadyListed",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Vary", "origin, accept-encoding"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Vary", "origin, accept-encoding"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Content-Encoding", "gzip"}},
     true},
    {"ExistingVaryStar",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Vary", "*"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"Vary", "*"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Content-Encoding", "gzip"}},
     true},
    {"JsonBody",
     "GET",
     {{"Accept-Encoding", "br;q=0.5, gzip;q=0.8"}},
     1500,
     {{"Content-Type", "application/json; charset=utf-8"},
      {"ETag", "W/\"5dc-xSDmEJg1yHb9mGNu/sQ91hY0t9M\""}},
     {{"Content-Type", "application/json; charset=utf-8"},
      {"ETag", "W/\"5dc-xSDmEJg1yHb9mGNu/sQ91hY0t9M\""},
      {"Vary", "Accept-Encoding"},
      {"Content-Encoding", "gzip"}},
     true},
    {"TieGoesToBrotli",
     "GET",
     {{"Accept-Encoding", "gzip;q=0.7, br;q=0.7, deflate;q=0.7"}},
     1500,
     {{"Content-Type", "text/css; charset=utf-8"},
      {"ETag", "W/\"5dc-xSDmEJg1yHb9mGNu/sQ91hY0t9M\""}},
     {{"Content-Type", "text/css; charset=utf-8"},
      {"ETag", "W/\"5dc-xSDmEJg1yHb9mGNu/sQ91hY0t9M\""},
      {"Vary", "Accept-Encoding"},
      {"Content-Encoding", "br"}},
     true},
    {"NothingAcceptable",
     "GET",
     {{"Accept-Encoding", "gzip;q=0, br;q=0, deflate;q=0, identity;q=0"}},
     1500,
     {{"Content-Type", "text/css; charset=utf-8"},
      {"ETag", "W/\"5dc-xSDmEJg1yHb9mGNu/sQ91hY0t9M\""}},
     {{"Content-Type", "text/css; charset=utf-8"},
      {"ETag", "W/\"5dc-xSDmEJg1yHb9mGNu/sQ91hY0t9M\""},
      {"Vary", "Accept-Encoding"}},
     false},
    {"SmallPngBelowThreshold",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     10,
     {{"Content-Type", "image/png; charset=utf-8"},
      {"ETag", "W/\"a-NJX/adNGcdHhWzOmPBN5/e3Toyo\""}},
     {{"Content-Type", "image/png; charset=utf-8"},
      {"ETag", "W/\"a-NJX/adNGcdHhWzOmPBN5/e3Toyo\""}},
     false},
    {"EmptyBody",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     0,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk\""},
      {"Vary", "Accept-Encoding"}},
     false},
    {"NoContentType",
     "GET",
     {{"Accept-Encoding", "gzip"}},
     2000,
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""}},
     {{"Content-Type", "text/html; charset=utf-8"},
      {"ETag", "W/\"7d0-BZwpRoBAGIKryRJ3H/8VLuY47oA\""},
      {"Vary", "Accept-Encoding"},
      {"Content-Encoding", "gzip"}},
     true},
};

TEST(CompressResponse, MatchesCompressionMiddleware) {
  for (const auto& c : kResponses) {
    Request request;
    request.method = c.method;
    for (const auto& [name, value] : c.request_headers) request.headers.add(name, value);
    Response response;
    for (const auto& [name, value] : c.response_headers) response.headers.add(name, value);
    response.body = std::string(c.body_size, 'a');
    compress_response(request, response);
    EXPECT_EQ(fields_of(response.headers), c.expected_headers) << c.name;
    if (c.compressed) {
      const auto encoding = response.headers.get("Content-Encoding");
      ASSERT_TRUE(encoding.has_value()) << c.name;
      EXPECT_NE(response.body.size(), c.body_size) << c.name;
      EXPECT_EQ(decode(*encoding, response.body), std::string(c.body_size, 'a')) << c.name;
    } else {
      EXPECT_EQ(response.body, std::string(c.body_size, 'a')) << c.name;
    }
  }
}

TEST(CompressResponse, ContentLengthFieldIsRemovedAndUsedForTheThreshold) {
  Request request;
  request.method = "GET";
  request.headers.add("Accept-Encoding", "gzip");
  Response response;
  response.headers.add("Content-Type", "text/plain");
  response.headers.add("Content-Length", "2000");
  response.body = std::string(2000, 'b');
  compress_response(request, response);
  EXPECT_FALSE(response.headers.has("Content-Length"));
  EXPECT_EQ(response.headers.value_or_empty("Content-Encoding"), "gzip");

  Response small;
  small.headers.add("Content-Type", "text/plain");
  small.headers.add("Content-Length", "10");
  small.body = std::string(2000, 'b');  // the field wins, as Number(getHeader) does
  compress_response(request, small);
  EXPECT_EQ(small.body.size(), 2000u);
  EXPECT_EQ(small.headers.value_or_empty("Vary"), "Accept-Encoding");
}

TEST(CompressResponse, RepeatedAcceptEncodingFieldsAreJoined) {
  Request request;
  request.method = "GET";
  request.headers.add("Accept-Encoding", "identity;q=0.1");
  request.headers.add("Accept-Encoding",
                      "deflate;q=0.5");  // Node joins: "identity;q=0.1, deflate;q=0.5"
  Response response;
  response.headers.add("Content-Type", "text/html");
  response.body = std::string(5000, 'c');
  compress_response(request, response);
  EXPECT_EQ(response.headers.value_or_empty("Content-Encoding"), "deflate");
  EXPECT_EQ(decode("deflate", response.body), std::string(5000, 'c'));
}

TEST(CompressResponse, ThresholdOptionIsHonoured) {
  Request request;
  request.method = "GET";
  request.headers.add("Accept-Encoding", "gzip");
  Response response;
  response.headers.add("Content-Type", "text/html");
  response.body = std::string(100, 'd');
  compress_response(request, response, CompressionOptions{.threshold = 100});
  EXPECT_EQ(response.headers.value_or_empty("Content-Encoding"), "gzip");
  EXPECT_EQ(decode("gzip", response.body), std::string(100, 'd'));
}

TEST(CompressResponse, FileBodyRangeIsReadAndCompressed) {
  const auto path = std::filesystem::temp_directory_path() / "cppapp_compression_file_test.css";
  std::string content;
  for (int i = 0; i < 500; ++i) content += ".c" + std::to_string(i) + " { color: red; }\n";
  std::ofstream(path, std::ios::binary) << content;
  Request request;
  request.method = "GET";
  request.headers.add("Accept-Encoding", "br");
  Response response;
  response.status = 206;
  response.headers.add("Content-Type", "text/css; charset=UTF-8");
  response.file = Response::FileBody{path.string(), 100, 3000};
  compress_response(request, response);
  EXPECT_FALSE(response.file.has_value());
  EXPECT_EQ(response.headers.value_or_empty("Content-Encoding"), "br");
  EXPECT_EQ(decode("br", response.body), content.substr(100, 3000));
  std::filesystem::remove(path);
}

TEST(CompressResponse, HeadKeepsFileBodyUntouched) {
  Request request;
  request.method = "HEAD";
  request.headers.add("Accept-Encoding", "gzip");
  Response response;
  response.headers.add("Content-Type", "text/css; charset=UTF-8");
  response.file = Response::FileBody{"/nonexistent", 0, 5000};
  compress_response(request, response);
  EXPECT_TRUE(response.file.has_value());
  EXPECT_EQ(fields_of(response.headers),
            (Fields{{"Content-Type", "text/css; charset=UTF-8"}, {"Vary", "Accept-Encoding"}}));
}

// RFC 9110 15.4.5: a 304 carries the Vary its 200 would; it has no Content-Type of its own.
TEST(CompressResponse, NotModifiedKeepsTheVaryOfTheFullAnswer) {
  Request request;
  request.method = "GET";
  request.headers.add("Accept-Encoding", "gzip");
  request.headers.add("If-None-Match", "\"abc\"");
  Response page;
  page.headers.add("Content-Type", "text/html; charset=utf-8");
  page.headers.add("ETag", "\"abc\"");
  page.body = std::string(2000, 'p');
  apply_send_semantics(request, page);
  ASSERT_EQ(page.status, 304u);
  compress_response(request, page);
  EXPECT_EQ(page.headers.value_or_empty("Vary"), "Accept-Encoding");
  EXPECT_FALSE(page.headers.has("Content-Type"));
  EXPECT_FALSE(page.headers.has("Content-Encoding"));
  EXPECT_TRUE(page.body.empty());

  Response image;  // not compressible: no Vary on the 200, none on the 304
  image.status = 304;
  image.not_modified_type = "image/png";
  compress_response(request, image);
  EXPECT_FALSE(image.headers.has("Vary"));
}

}  // namespace
}  // namespace cppapp::http
