// Expectations are JSON.stringify of req.body from body-parser 1.20.9's urlencoded({extended:
// true}) with its qs 6.16.2 (allowPrototypes, arrayLimit max(100, paramCount), depth 32,
// strictDepth), what the seed's ^1.16.1 installs; each checked with Node.
#include "http/urlencoded.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <string>

#include "http/body_parser.hpp"

namespace {

using cppapp::http::BodyError;
using cppapp::http::parse_urlencoded;

struct QsCase {
  const char* body;
  const char* expected_json;  // nullptr when body-parser fails with `status`
  unsigned status;
};

const QsCase kQsCases[] = {
    {"a=1", R"({"a":"1"})", 0},
    {"a=1&b=2", R"({"a":"1","b":"2"})", 0},
    {"a=1&a=2", R"({"a":["1","2"]})", 0},
    {"a=1&a=2&a=3", R"({"a":["1","2","3"]})", 0},
    {"a[b]=1", R"({"a":{"b":"1"}})", 0},
    {"a[b][c]=1", R"({"a":{"b":{"c":"1"}}})", 0},
    {"a[]=1&a[]=2", R"({"a":["1","2"]})", 0},
    {"a[0]=x&a[1]=y", R"({"a":["x","y"]})", 0},
    {"a[1]=x&a[0]=y", R"({"a":["y","x"]})", 0},
    {"a[1]=x", R"({"a":["x"]})", 0},
    {"a[100]=x", R"({"a":{"100":"x"}})", 0},
    {"a[101]=x", R"({"a":{"101":"x"}})", 0},
    {"a[0]=x&a[b]=y", R"({"a":{"0":"x","b":"y"}})", 0},
    {"a[b]=y&a[0]=x", R"({"a":{"0":"x","b":"y"}})", 0},
    {"a=1&a[b]=2", R"({"a":["1",{"b":"2"}]})", 0},
    {"a[b]=2&a=1", R"({"a":[{"b":"2"},"1"]})", 0},
    {"a[]=x&a=y", R"({"a":["x","y"]})", 0},
    {"a=x&a[]=y", R"({"a":["x","y"]})", 0},
    {"a=", R"({"a":""})", 0},
    {"a", R"({"a":""})", 0},
    {"=1", R"({})", 0},
    {"&&", R"({})", 0},
    {"a=1&&b=2", R"({"a":"1","b":"2"})", 0},
    {"a+b=c+d", R"({"a b":"c d"})", 0},
    {"a=%20%2B%26", R"({"a":" +&"})", 0},
    {"a=%E2%9C%93", R"({"a":"✓"})", 0},
    {"a=%", R"({"a":"%"})", 0},
    {"a=%zz", R"({"a":"%zz"})", 0},
    {"a=%E2%9C", R"({"a":"%E2%9C"})", 0},
    {"a=%C0%80", R"({"a":"%C0%80"})", 0},
    {"a=%ED%A0%80", R"({"a":"%ED%A0%80"})", 0},
    {"a%5Bb%5D=1", R"({"a":{"b":"1"}})", 0},
    {"a%5bb%5d=1", R"({"a":{"b":"1"}})", 0},
    {"a[b]c=1", R"({"a":{"b":"1"}})", 0},
    {"a[b][c][d][e]=1", R"({"a":{"b":{"c":{"d":{"e":"1"}}}}})", 0},
    {"a.b=1", R"({"a.b":"1"})", 0},
    {"a[b.c]=1", R"({"a":{"b.c":"1"}})", 0},
    {"a[]", R"({"a":[""]})", 0},
    {"a[]=", R"({"a":[""]})", 0},
    {"a[][]=1", R"({"a":["1"]})", 0},
    {"a[][b]=1", R"({"a":[{"b":"1"}]})", 0},
    {"a[0][b]=1&a[0][c]=2", R"({"a":[{"b":"1","c":"2"}]})", 0},
    {"a[0][b]=1&a[1][b]=2", R"({"a":[{"b":"1"},{"b":"2"}]})", 0},
    {"2=x&1=y&b=z&0=w", R"({"0":"w","1":"y","2":"x","b":"z"})", 0},
    {"b=1&a=2&10=3&9=4", R"({"9":"4","10":"3","b":"1","a":"2"})", 0},
    {"a[__proto__]=1", R"({"a":{}})", 0},
    {"__proto__=1", R"({})", 0},
    {"__proto__[x]=1", R"({})", 0},
    {"hasOwnProperty=1", R"({"hasOwnProperty":"1"})", 0},
    {"toString[a]=1", R"({"toString":{"a":"1"}})", 0},
    {"a[b]=1&a=c", R"({"a":[{"b":"1"},"c"]})", 0},
    {"a[b]=1&a=__proto__", R"({"a":[{"b":"1"},"__proto__"]})", 0},
    {"a[]=1&a[b]=2", R"({"a":{"0":"1","b":"2"}})", 0},
    {"a[b]=2&a[]=1", R"({"a":{"0":"1","b":"2"}})", 0},
    {"a[=1", R"({"a":{"[":"1"}})", 0},
    {"a]=1", R"({"a]":"1"})", 0},
    {"a[b=1", R"({"a":{"[b":"1"}})", 0},
    {"a[b]]=1", R"({"a":{"b":"1"}})", 0},
    {"a[[b]]=1", R"({"a":{"[b]":"1"}})", 0},
    {"[a]=1", R"({"a":"1"})", 0},
    {"[]=1", R"({"0":"1"})", 0},
    {"[0]=1", R"({"0":"1"})", 0},
    {"a[ ]=1", R"({"a":{" ":"1"}})", 0},
    {"a[-1]=1", R"({"a":{"-1":"1"}})", 0},
    {"a[01]=1", R"({"a":{"01":"1"}})", 0},
    {"a[ 1]=1", R"({"a":{" 1":"1"}})", 0},
    {"a=b=c", R"({"a":"b=c"})", 0},
    {"a]=b", R"({"a]":"b"})", 0},
    {"a[b]=c]=d", R"({"a":{"b":"c]=d"}})", 0},
    {"a=%5B%5D", R"({"a":"[]"})", 0},
    {"a[b]=1&a[b]=2", R"({"a":{"b":["1","2"]}})", 0},
    {"a[b][]=1&a[b][]=2", R"({"a":{"b":["1","2"]}})", 0},
    {"x[y][0]=1&x[y][1]=2&x[y][2]=3", R"({"x":{"y":["1","2","3"]}})", 0},
    {"a=1&A=2", R"({"a":"1","A":"2"})", 0},
    {"é=ü", R"({"é":"ü"})", 0},
    {"%C3%A9=%C3%BC", R"({"é":"ü"})", 0},
    {"a=+", R"({"a":" "})", 0},
    {"+=+", R"({" ":" "})", 0},
    {"a[0]=1&a[0]=2", R"({"a":[["1","2"]]})", 0},
    {"a[0]=1&a[0][b]=2", R"({"a":["1",{"b":"2"}]})", 0},
    {"a[0][b]=2&a[0]=1", R"({"a":[{"b":"2"},"1"]})", 0},
    {"a[2]=b&a[99999999]=c", R"({"a":{"2":"b","99999999":"c"}})", 0},
    {"a[4294967295]=1", R"({"a":{"4294967295":"1"}})", 0},
    {"x[a][b][c][d][e][f][g][h][i][j][k][l][m][n][o][p][q][r][s][t][u][v][w][x][y][z][aa][bb][cc]["
     "dd][ee][ff]=1",
     R"({"x":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":{"o":{"p":{"q":{"r":{"s":{"t":{"u":{"v":{"w":{"x":{"y":{"z":{"aa":{"bb":{"cc":{"dd":{"ee":{"ff":"1"}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}})",
     0},
    {"x[a][b][c][d][e][f][g][h][i][j][k][l][m][n][o][p][q][r][s][t][u][v][w][x][y][z][aa][bb][cc]["
     "dd][ee][ff][gg]=1",
     nullptr, 400},
    {"name=Jane+Doe&message=Hello%2C+world%21", R"({"name":"Jane Doe","message":"Hello, world!"})",
     0},
    {"a[150]=x&b=1", R"({"a":{"150":"x"},"b":"1"})", 0},
    {"a[b]=1&a[b]=1&a[b]=1&a[b]=1&a[b]=1&a[c][d]=2",
     R"({"a":{"b":["1","1","1","1","1"],"c":{"d":"2"}}})", 0},
    {"a=%F0%9F%98%80&b=%F0%9F", R"({"a":"😀","b":"%F0%9F"})", 0},
    {"a[b][c]=1&a[b]=2", R"({"a":{"b":[{"c":"1"},"2"]}})", 0},
    {"a[b]=2&a[b][c]=1", R"({"a":{"b":["2",{"c":"1"}]}})", 0},
    // qs 6.16: arrays stop below arrayLimit and become objects past it; an object meeting a plain
    // value is wrapped into [object, value] (strictMerge), and later values join that wrap.
    {"a[99]=x", R"({"a":["x"]})", 0},
    {"a[0]=1&a[99]=2&a[]=3", R"({"a":{"0":"1","99":"2","100":"3"}})", 0},
    {"a[99]=1&a=2", R"({"a":{"99":"1","100":"2"}})", 0},
    {"a=1&a[100]=x", R"({"a":{"0":"1","101":"x"}})", 0},
    {"a[100]=x&a[]=y", R"({"a":{"0":"y","100":"x"}})", 0},
    {"a[100]=x&a=y&a=z", R"({"a":{"0":"y","1":"z","100":"x"}})", 0},
    {"a[100]=x&a[101]=y&a=z", R"({"a":{"100":"x","101":"y","102":"z"}})", 0},
    {"a[b]=2&a=1&a[c]=3", R"({"a":{"0":{"b":"2"},"1":"1","c":"3"}})", 0},
    {"a[b]=1&a=2&a=3", R"({"a":{"0":"2","1":"3","b":"1"}})", 0},
    {"a=1&a[b]=2&a=3", R"({"a":{"0":"1","1":"3","b":"2"}})", 0},
    {"a[b]=1&a[]=2&a=3", R"({"a":[{"0":"2","b":"1"},"3"]})", 0},
    // qs 6.16: bracket groups are balanced; an unterminated one is a literal segment.
    {"a[[]b=1", R"({"a":{"[[]b":"1"}})", 0},
    {"a[b][=1", R"({"a":{"b":{"[":"1"}}})", 0},
    {"a[b][[c]]=1", R"({"a":{"b":{"[c]":"1"}}})", 0},
    {"a[x[y]z]=1", R"({"a":{"x[y]z":"1"}})", 0},
    {"a[b]]c=1", R"({"a":{"b":"1"}})", 0},
    {"[[a]]=1", R"({"[a]":"1"})", 0},
    {"a[][=1", R"({"a":[{"[":"1"}]})", 0},
    {"a[=1&a[=2", R"({"a":{"[":["1","2"]}})", 0},
    {"a[b]=1&a[=2", R"({"a":{"b":"1","[":"2"}})", 0},
    {"a[]=1&a[]=2&a[0]=3", R"({"a":["1","2","3"]})", 0},
    {"a[1e2]=x", R"({"a":{"1e2":"x"}})", 0},
    {"a[100][b]=1&a[100][c]=2", R"({"a":{"100":{"b":"1","c":"2"}}})", 0},
    {"a[200][]=1", R"({"a":{"200":["1"]}})", 0},
};

TEST(Urlencoded, MatchesQsAsBodyParserCallsIt) {
  for (const QsCase& c : kQsCases) {
    if (c.expected_json) {
      EXPECT_EQ(boost::json::serialize(parse_urlencoded(c.body)), c.expected_json) << c.body;
    } else {
      try {
        parse_urlencoded(c.body);
        ADD_FAILURE() << "no error for " << c.body;
      } catch (const BodyError& e) {
        EXPECT_EQ(e.status, c.status) << c.body;
      }
    }
  }
}

std::string repeat(const std::string& s, std::size_t n, const std::string& joiner) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += (i ? joiner : "") + s;
  return out;
}

TEST(Urlencoded, ParameterLimit) {
  EXPECT_EQ(parse_urlencoded(repeat("a[]=1", 999, "&")).at("a").as_array().size(), 999u);
  try {
    parse_urlencoded(repeat("a=1", 1001, "&"));
    ADD_FAILURE();
  } catch (const BodyError& e) {
    EXPECT_EQ(e.status, 413u);
    EXPECT_EQ(e.type, "parameters.too.many");
    EXPECT_STREQ(e.what(), "too many parameters");
  }
  cppapp::http::QsOptions small;
  small.parameter_limit = 3;
  EXPECT_NO_THROW(parse_urlencoded("a=1&b=2&c=3", small));
  EXPECT_THROW(parse_urlencoded("a=1&b=2&c=3&d=4", small), BodyError);
}

TEST(Urlencoded, DepthIsStrict) {
  std::string key = "x";
  for (int i = 0; i < 33; ++i) key += "[k]";
  try {
    parse_urlencoded(key + "=1");
    ADD_FAILURE();
  } catch (const BodyError& e) {
    EXPECT_EQ(e.status, 400u);
    EXPECT_EQ(e.type, "querystring.parse.rangeError");
    EXPECT_STREQ(e.what(), "The input exceeded the depth");
  }
  cppapp::http::QsOptions flat;
  flat.depth = 0;
  EXPECT_EQ(boost::json::serialize(parse_urlencoded("a[b][c]=1", flat)), R"({"a[b][c]":"1"})");
  EXPECT_EQ(boost::json::serialize(parse_urlencoded("a[b=1", flat)), R"({"a[b":"1"})");
  // An unterminated group past the depth counts as a level too.
  cppapp::http::QsOptions one;
  one.depth = 1;
  EXPECT_THROW(parse_urlencoded("a[b][=1", one), BodyError);
}

TEST(Urlencoded, ArrayLimitGrowsWithTheParameterCount) {
  // arrayLimit is max(100, parameters): with 200 parameters a[150] is an array index, a[200] not.
  std::string others;
  for (int i = 0; i < 199; ++i) others += "&b=1";
  EXPECT_EQ(boost::json::serialize(parse_urlencoded("a[150]=x" + others).at("a")), R"(["x"])");
  EXPECT_EQ(boost::json::serialize(parse_urlencoded("a[200]=x" + others).at("a")),
            R"({"200":"x"})");
}

TEST(Urlencoded, LargeHostileBodiesAreBounded) {
  // 999 nested-key parameters that all merge into one object, and a 100 kB key of brackets.
  std::string body;
  for (int i = 0; i < 999; ++i) {
    if (i) body += '&';
    body.append("a[b").append(std::to_string(i)).append("]=1");
  }
  EXPECT_EQ(parse_urlencoded(body).at("a").as_object().size(), 999u);
  EXPECT_NO_THROW(parse_urlencoded(std::string(100000, '[') + "=1"));
  EXPECT_NO_THROW(parse_urlencoded(std::string(100000, '%')));
}

TEST(Urlencoded, Utf8BodyDecoding) {
  using cppapp::http::decode_utf8_body;
  EXPECT_EQ(decode_utf8_body("\xef\xbb\xbf"
                             "a=1"),
            "a=1");
  EXPECT_EQ(decode_utf8_body("a\xff"
                             "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(decode_utf8_body("\xe2\x9c"), "\xef\xbf\xbd");
  EXPECT_EQ(decode_utf8_body("\xc3\xa9"), "\xc3\xa9");
  EXPECT_EQ(decode_utf8_body("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
