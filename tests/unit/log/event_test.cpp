#include "log/event.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace cppapp::log {
namespace {

boost::json::object parse(const std::string& text) {
  return boost::json::parse(text).as_object();
}

TEST(EventJson, CarriesWinstonAndEcsFields) {
  Event event(Level::warn, "disk almost full",
              {{"disk.free", std::int64_t{42}}, {"ratio", 0.5}, {"ok", false}});
  const Identity identity{
      .service_name = "cppapp", .node_name = "node-3", .hostname = "host-a", .pid = 77};
  const auto record = parse(to_json(event, identity, "abc-1"));
  EXPECT_EQ(record.at("level"), "warn");
  EXPECT_EQ(record.at("log.level"), "warn");
  EXPECT_EQ(record.at("message"), "disk almost full");
  EXPECT_EQ(record.at("label"), "node-3");
  EXPECT_EQ(record.at("service.name"), "cppapp");
  EXPECT_EQ(record.at("service.node.name"), "node-3");
  EXPECT_EQ(record.at("host.hostname"), "host-a");
  EXPECT_EQ(record.at("process.pid"), 77);
  EXPECT_EQ(record.at("event.id"), "abc-1");
  EXPECT_EQ(record.at("event.dataset"), "cppapp.log");
  EXPECT_EQ(record.at("disk.free"), 42);
  EXPECT_EQ(record.at("ratio"), 0.5);
  EXPECT_EQ(record.at("ok"), false);
}

TEST(EventJson, IsValidWhateverTheMessageHolds) {
  const std::string nasty =
      std::string("quote\" backslash\\ newline\n nul") + '\0' + "\x01\x1f" +
      "\xff\xfe bad utf8 \xc3\x28 overlong \xc0\xaf surrogate \xed\xa0\x80 end";
  Event event(Level::error, nasty, {{"user_agent.original", nasty}});
  const std::string json = to_json(event, current_identity("n"), "id");
  const auto record = parse(json);  // throws on invalid JSON
  const std::string message(record.at("message").as_string());
  EXPECT_NE(message.find("quote\" backslash\\ newline\n nul"), std::string::npos);
  EXPECT_NE(message.find("\xEF\xBF\xBD"), std::string::npos);  // invalid bytes became U+FFFD
  EXPECT_EQ(json.find('\n'), std::string::npos);               // one line
}

TEST(ValidUtf8, KeepsValidTextAndReplacesEachBadByte) {
  EXPECT_EQ(valid_utf8("héllo 😀 שלום"), "héllo 😀 שלום");
  EXPECT_EQ(valid_utf8("a\xff"
                       "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(valid_utf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");              // overlong '/'
  EXPECT_EQ(valid_utf8("\xe2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");              // truncated
  EXPECT_EQ(valid_utf8("\xf4\x90\x80\x80").find("\xf4"), std::string::npos);  // past U+10FFFF
}

TEST(Iso8601, MillisecondsInUtc) {
  using namespace std::chrono;
  const system_clock::time_point time{milliseconds(1'798'559'196'123)};
  EXPECT_EQ(iso8601_utc(time), "2026-12-29T15:46:36.123Z");
  EXPECT_EQ(iso8601_utc(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(Iso8601Utc, MatchesJavaScriptToIsoString) {
  // Expected values from Node 20: new Date(ms).toISOString() (entries' createdAt)
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(1795967196123), "2026-11-29T15:46:36.123Z");
  EXPECT_EQ(iso8601_utc(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(iso8601_utc(253402300800000), "+010000-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(-62198755200000), "-000001-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace cppapp::log
