// Expectations produced by fresh 0.5.2.
#include "http/fresh.hpp"

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

struct FreshCase {
  Fields request;
  Fields response;
  bool fresh;
};

const FreshCase kCases[] = {
    {{},
     {{"etag", "W/\"14-18cc820db2e\""}, {"last-modified", "Tue, 02 Jan 2024 03:04:05 GMT"}},
     false},
    {{{"if-none-match", "W/\"14-18cc820db2e\""}}, {{"etag", "W/\"14-18cc820db2e\""}}, true},
    {{{"if-none-match", "\"14-18cc820db2e\""}}, {{"etag", "W/\"14-18cc820db2e\""}}, true},
    {{{"if-none-match", "W/\"14-18cc820db2e\""}}, {{"etag", "\"14-18cc820db2e\""}}, true},
    {{{"if-none-match", "\"x\", W/\"14-18cc820db2e\""}}, {{"etag", "W/\"14-18cc820db2e\""}}, true},
    {{{"if-none-match", "\"x\",W/\"14-18cc820db2e\" "}}, {{"etag", "W/\"14-18cc820db2e\""}}, true},
    {{{"if-none-match", "\"x\""}}, {{"etag", "W/\"14-18cc820db2e\""}}, false},
    {{{"if-none-match", "*"}}, {{"etag", "W/\"14-18cc820db2e\""}}, true},
    {{{"if-none-match", "*"}}, {}, true},
    {{{"if-none-match", "W/\"14-18cc820db2e\""}}, {}, false},
    {{{"if-none-match", "W/\"14-18cc820db2e\""}, {"cache-control", "no-cache"}},
     {{"etag", "W/\"14-18cc820db2e\""}},
     false},
    {{{"if-none-match", "W/\"14-18cc820db2e\""}, {"cache-control", "max-age=0, no-cache"}},
     {{"etag", "W/\"14-18cc820db2e\""}},
     false},
    {{{"if-none-match", "W/\"14-18cc820db2e\""}, {"cache-control", "no-cache=foo"}},
     {{"etag", "W/\"14-18cc820db2e\""}},
     true},
    {{{"if-none-match", "W/\"14-18cc820db2e\""}, {"cache-control", "max-age=0"}},
     {{"etag", "W/\"14-18cc820db2e\""}},
     true},
    {{{"if-none-match", "W/\"14-18cc820db2e\""}, {"cache-control", "NO-CACHE"}},
     {{"etag", "W/\"14-18cc820db2e\""}},
     true},
    {{{"if-modified-since", "Tue, 02 Jan 2024 03:04:05 GMT"}},
     {{"last-modified", "Tue, 02 Jan 2024 03:04:05 GMT"}},
     true},
    {{{"if-modified-since", "Tue, 02 Jan 2024 03:04:04 GMT"}},
     {{"last-modified", "Tue, 02 Jan 2024 03:04:05 GMT"}},
     false},
    {{{"if-modified-since", "Wed, 03 Jan 2024 00:00:00 GMT"}},
     {{"last-modified", "Tue, 02 Jan 2024 03:04:05 GMT"}},
     true},
    {{{"if-modified-since", "garbage"}},
     {{"last-modified", "Tue, 02 Jan 2024 03:04:05 GMT"}},
     false},
    {{{"if-modified-since", "Tue, 02 Jan 2024 03:04:05 GMT"}}, {}, false},
    {{{"if-modified-since", "Tue, 02 Jan 2024 03:04:05 GMT"},
      {"if-none-match", "W/\"14-18cc820db2e\""}},
     {{"etag", "W/\"14-18cc820db2e\""}, {"last-modified", "Tue, 02 Jan 2024 03:04:05 GMT"}},
     true},
    {{{"if-modified-since", "Tue, 02 Jan 2024 03:04:04 GMT"},
      {"if-none-match", "W/\"14-18cc820db2e\""}},
     {{"etag", "W/\"14-18cc820db2e\""}, {"last-modified", "Tue, 02 Jan 2024 03:04:05 GMT"}},
     false},
    {{{"if-modified-since", "Tue, 02 Jan 2024 03:04:05 GMT"}, {"if-none-match", "\"other\""}},
     {{"etag", "W/\"14-18cc820db2e\""}, {"last-modified", "Tue, 02 Jan 2024 03:04:05 GMT"}},
     false},
    {{{"if-none-match", " , W/\"14-18cc820db2e\""}}, {{"etag", "W/\"14-18cc820db2e\""}}, true},
    {{{"if-none-match", ""}}, {{"etag", "W/\"14-18cc820db2e\""}}, false},
    {{{"if-none-match", "W/W/\"14-18cc820db2e\""}}, {{"etag", "W/\"14-18cc820db2e\""}}, true},
};

TEST(IsFresh, MatchesFreshPackage) {
  int index = 0;
  for (const auto& c : kCases) {
    EXPECT_EQ(is_fresh(make_headers(c.request), make_headers(c.response)), c.fresh)
        << "case " << index;
    ++index;
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
