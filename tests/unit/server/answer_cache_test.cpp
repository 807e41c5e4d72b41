#include "server/answer_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cppapp::server {
namespace {

http::Request get(std::string target = "/app1/") {
  http::Request request;
  request.method = "GET";
  request.target = std::move(target);
  request.headers.add("Host", "example.com");
  return request;
}

http::Response page(std::string body = "<p>same for everyone</p>") {
  http::Response response;
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  response.headers.set("ETag", "W/\"1\"");
  response.body = std::move(body);
  response.route = "/";
  response.replayable = true;
  return response;
}

TEST(AnswerCache, OnlyPlainGetAndHeadMayBeAnsweredAgain) {
  const AnswerCache cache(64 * 1024);
  std::string key;
  EXPECT_TRUE(cache.key_for(get(), key));
  http::Request head = get();
  head.method = "HEAD";
  EXPECT_TRUE(cache.key_for(head, key));
  for (const char* method : {"POST", "PUT", "OPTIONS", "DELETE", "get"}) {
    http::Request other = get();
    other.method = method;
    EXPECT_FALSE(cache.key_for(other, key)) << method;
  }
  for (const char* field : {"If-None-Match", "if-modified-since", "If-Match", "If-Unmodified-Since",
                            "If-Range", "Range", "Content-Length", "transfer-encoding"}) {
    http::Request asks = get();
    asks.headers.add(field, "x");
    EXPECT_FALSE(cache.key_for(asks, key)) << field;
  }
  const AnswerCache off(0);
  EXPECT_FALSE(off.key_for(get(), key));
}

TEST(AnswerCache, TheKeyIsMethodTargetAndEveryAcceptEncoding) {
  const AnswerCache cache(64 * 1024);
  const auto key_of = [&cache](const http::Request& request) {
    std::string key;
    EXPECT_TRUE(cache.key_for(request, key));
    return key;
  };
  http::Request plain = get();
  http::Request other_agent = get();
  other_agent.headers.add("User-Agent", "curl");
  other_agent.headers.add("Accept", "application/json");
  EXPECT_EQ(key_of(plain), key_of(other_agent));

  http::Request head = get();
  head.method = "HEAD";
  http::Request query = get("/app1/?a=1");
  http::Request gzip = get();
  gzip.headers.add("accept-encoding", "gzip");
  http::Request split = get();
  split.headers.add("Accept-Encoding", "gzip");
  split.headers.add("Accept-Encoding", "br");
  http::Request joined = get();
  joined.headers.add("Accept-Encoding", "gzip\nbr");  // never a field value; the key must differ
  http::Request empty = get();
  empty.headers.add("Accept-Encoding", "");
  const std::vector<std::string> keys = {key_of(plain), key_of(head),  key_of(query),
                                         key_of(gzip),  key_of(split), key_of(empty)};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (std::size_t j = i + 1; j < keys.size(); ++j) EXPECT_NE(keys[i], keys[j]) << i << " " << j;
  }
}

TEST(AnswerCache, KeepsOnlyWholeReplayableAnswers) {
  AnswerCache cache(64 * 1024);
  cache.keep("a", page());
  const auto kept = cache.find("a");
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->status, 200u);
  EXPECT_EQ(kept->route, "/");
  EXPECT_EQ(kept->body, "<p>same for everyone</p>");
  EXPECT_EQ(kept->response_lines,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: W/\"1\"\r\n");

  http::Response not_replayable = page();
  not_replayable.replayable = false;
  http::Response not_modified = page("");
  not_modified.status = 304;
  http::Response file = page("");
  file.file = http::Response::FileBody{.path = "/etc/hostname", .offset = 0, .length = 3};
  cache.keep("b", not_replayable);
  cache.keep("c", not_modified);
  cache.keep("d", file);
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_EQ(cache.find("c"), nullptr);
  EXPECT_EQ(cache.find("d"), nullptr);
}

TEST(AnswerCache, TheOldestGoFirstAndAnAnswerInUseOutlivesItsPlace) {
  const std::string body(1000, 'x');
  AnswerCache cache(3500);  // three answers of about 1.1 KB fit, four do not
  cache.keep("1", page(body));
  const auto first = cache.find("1");
  cache.keep("2", page(body));
  cache.keep("3", page(body));
  EXPECT_NE(cache.find("1"), nullptr);
  cache.keep("4", page(body));
  EXPECT_EQ(cache.find("1"), nullptr);
  EXPECT_NE(cache.find("2"), nullptr);
  EXPECT_NE(cache.find("4"), nullptr);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->body, body);  // still whole for the connection that was writing it

  AnswerCache small(100);
  small.keep("big", page(body));  // larger than the whole cache: not kept, nothing evicted
  EXPECT_EQ(small.find("big"), nullptr);
}

}  // namespace
}  // namespace cppapp::server
