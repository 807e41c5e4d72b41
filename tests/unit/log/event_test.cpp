#include "log/event.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>

#include "log/json_text.hpp"
#include "log/logger.hpp"

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

/// The record as Boost.JSON makes it, the reference to_json's direct writing must match byte for
/// byte: every string made valid UTF-8, then put in an object (one value per key) and serialized.
std::string reference_json(const Event& event, const Identity& identity, std::string_view id) {
  boost::json::object record;
  const std::string_view level = level_name(event.level);
  record["@timestamp"] = iso8601_utc(event.time);
  record["level"] = level;
  record["message"] = valid_utf8(event.message);
  record["label"] = valid_utf8(identity.node_name);
  record["log.level"] = level;
  record["service.name"] = valid_utf8(identity.service_name);
  record["service.node.name"] = valid_utf8(identity.node_name);
  record["host.hostname"] = valid_utf8(identity.hostname);
  record["process.pid"] = identity.pid;
  record["event.dataset"] = valid_utf8(event.dataset);
  record["event.id"] = valid_utf8(id);
  for (const Field& field : event.fields) {
    record[valid_utf8(field.key)] = std::visit(
        [](const auto& v) -> boost::json::value {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>)
            return boost::json::value(valid_utf8(v));
          else
            return boost::json::value(v);
        },
        field.value);
  }
  return boost::json::serialize(record);
}

/// Text made of what log records meet: plain ASCII, JSON's special characters, every control
/// character, valid multi-byte characters and invalid UTF-8 of each kind.
std::string random_text(std::mt19937& random) {
  static const std::string pieces[] = {"GET",
                                       "/app1/",
                                       " ",
                                       "\"",
                                       "\\",
                                       "\x7f",
                                       "é",
                                       "😀",
                                       "\u2028",
                                       "שלום",
                                       "\xff",
                                       "\xc0\xaf",
                                       "\xed\xa0\x80",
                                       "\xe2\x82",
                                       "\xf4\x90\x80\x80",
                                       "\xc3",
                                       "a\x80"
                                       "b",
                                       "/",
                                       "\xef\xbf\xbd"};
  std::string text;
  const int parts = std::uniform_int_distribution<int>(0, 12)(random);
  for (int i = 0; i < parts; ++i) {
    if (std::uniform_int_distribution<int>(0, 4)(random) == 0) {
      text += static_cast<char>(std::uniform_int_distribution<int>(0, 0x1f)(random));
    } else {
      text += pieces[std::uniform_int_distribution<std::size_t>(0, std::size(pieces) - 1)(random)];
    }
  }
  return text;
}

FieldValue random_value(std::mt19937& random) {
  static const std::int64_t integers[] = {0, -1, 42, INT64_MIN, INT64_MAX, 1'000'000'007};
  static const double doubles[] = {0.5, -1e300, 1.0, 3.141592653589793, 0.0, 1e-7, 123456789.0};
  switch (std::uniform_int_distribution<int>(0, 3)(random)) {
    case 0:
      return random_text(random);
    case 1:
      return integers[std::uniform_int_distribution<std::size_t>(0, 5)(random)];
    case 2:
      return doubles[std::uniform_int_distribution<std::size_t>(0, 6)(random)];
    default:
      return std::uniform_int_distribution<int>(0, 1)(random) == 1;
  }
}

TEST(EventJson, WrittenDirectlyItIsByteForByteWhatBoostJsonMakes) {
  std::mt19937 random(20261207);
  // Plain keys (the direct writing), and keys it leaves to the object: a record key, a repeated
  // extra, keys that need escaping or are not valid UTF-8.
  const std::string keys[] = {"url.path",   "http.request.id", "client.ip", "event.duration",
                              "error.type", "message",         "level",     "url.path",
                              "a\"b",       "tab\there",       "bad\xff",   "😀"};
  for (int round = 0; round < 3000; ++round) {
    std::vector<Field> fields;
    const int count = std::uniform_int_distribution<int>(0, 8)(random);
    const std::size_t key_pool = round % 2 == 0 ? 5 : std::size(keys);
    for (int i = 0; i < count; ++i) {
      fields.push_back({keys[std::uniform_int_distribution<std::size_t>(0, key_pool - 1)(random)] +
                            (round % 2 == 0 ? std::to_string(i) : std::string()),
                        random_value(random)});
    }
    Event event(static_cast<Level>(round % 6), random_text(random), std::move(fields),
                round % 3 == 0 ? "cppapp.access" : "cppapp.log");
    // Any time system_clock (nanoseconds in 64 bits: 1678 to 2262) holds; 1900 to 2100 here.
    event.time = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(
            -2'208'988'800'000, 4'102'444'800'000)(random)));
    const Identity identity{.service_name = "cppapp",
                            .node_name = round % 5 == 0 ? random_text(random) : "cppapp1",
                            .hostname = round % 7 == 0 ? random_text(random) : "host-a",
                            .pid = round};
    const std::string id = round % 11 == 0 ? random_text(random) : "0123456789abcdef-1";
    const std::string json = to_json(event, identity, id);
    ASSERT_EQ(json, reference_json(event, identity, id)) << "round " << round;
    ASSERT_NO_THROW(boost::json::parse(json)) << json;
  }
}

/// Printable ASCII without '"' and '\\' (what JSON takes as it is), 0 to 40 bytes: every length
/// around the eight-byte steps the plain test takes.
std::string plain_text(std::mt19937& random) {
  std::string text(std::uniform_int_distribution<std::size_t>(0, 40)(random), ' ');
  for (char& c : text) {
    do {
      c = static_cast<char>(std::uniform_int_distribution<int>(0x20, 0x7e)(random));
    } while (c == '"' || c == '\\');
  }
  return text;
}

TEST(AccessJson, IsWhatTheAccessEventGives) {
  // The access record is written straight from the request's facts when nobody observes events;
  // what it writes must be the event's JSON exactly: from the copying writer when every string is
  // plain, from the escaping one when any is not (each string is plain five times in six, so
  // records with one string to escape among plain ones come often).
  std::mt19937 random(7);
  const Identity identity{
      .service_name = "cppapp", .node_name = "cppapp1", .hostname = "host-a", .pid = 9};
  const auto text = [&random] {
    return std::uniform_int_distribution<int>(0, 5)(random) == 0 ? random_text(random)
                                                                 : plain_text(random);
  };
  int all_plain = 0;
  for (int round = 0; round < 3000; ++round) {
    const std::string method = round == 0 ? "GET" : text();
    const std::string path = text(), query = text();
    const std::string ip = text(), agent = text();
    const std::string id = text();
    const AccessRecord record{.method = method,
                              .path = path,
                              .query = query,
                              .status = static_cast<unsigned>(100 + round),
                              .bytes = static_cast<std::uint64_t>(round) * 1000003,
                              .duration = std::chrono::nanoseconds((round - 10) * 7919),
                              .client_ip = ip,
                              .user_agent = agent,
                              .request_id = id};
    const Event event = access_event(record);
    EXPECT_EQ(event.dataset, "cppapp.access");
    const std::string json = access_json(record, event.time, identity, "e-1");
    ASSERT_EQ(json, to_json(event, identity, "e-1")) << "round " << round;
    ASSERT_NO_THROW(boost::json::parse(json)) << json;
    const std::string strings = method + path + query + ip + agent + id;
    all_plain += is_plain_json_text(strings);
  }
  EXPECT_GT(all_plain, 300);  // the copying writer was tried often
}

TEST(AccessJson, ARecordOfEmptyViewsIsWrittenToo) {
  // Views that were never set hold no pointer at all (the query of a request without one): the
  // writers copy nothing from them (UBSan, in the asan preset, checks that no null pointer reaches
  // memcpy).
  const Identity identity{.service_name = "cppapp", .node_name = "n", .hostname = "h", .pid = 1};
  AccessRecord record;
  record.status = 200;
  const Event event = access_event(record);
  EXPECT_EQ(event.message, "  200 0B 0.000ms ");
  const std::string json = access_json(record, event.time, identity, "e-1");
  EXPECT_EQ(json, to_json(event, identity, "e-1"));
  EXPECT_TRUE(is_plain_json_text(std::string_view()));
}

TEST(JsonText, PlainIsWhatTheEscapingWriterCopiesAsItIs) {
  // Every byte value at every place of texts of 0 to 24 bytes: plain exactly when
  // append_json_string writes the text unchanged between its quotes.
  for (std::size_t length = 1; length <= 24; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(byte);
        std::string escaped;
        append_json_string(escaped, text);
        ASSERT_EQ(is_plain_json_text(text), escaped == '"' + text + '"')
            << "length " << length << ", byte " << byte << " at " << at;
      }
    }
  }
  EXPECT_TRUE(is_plain_json_text(""));
}

TEST(AccessMessage, IsMethodPathStatusBytesMillisecondsAndClient) {
  // The duration in milliseconds with three decimals, rounded to the nearest microsecond.
  std::mt19937_64 random(3);
  for (int round = 0; round < 2000; ++round) {
    const std::int64_t nanos = round < 4 ? std::array<std::int64_t, 4>{0, 499, 500, 999'999}[round]
                                         : static_cast<std::int64_t>(random() % 100'000'000'000);
    const std::uint64_t bytes = round % 2 ? random() % 10'000'000 : random() >> 2;
    const AccessRecord record{.method = "GET",
                              .path = "/app1/",
                              .query = "",
                              .status = static_cast<unsigned>(100 + round % 500),
                              .bytes = bytes,
                              .duration = std::chrono::nanoseconds(nanos),
                              .client_ip = "10.0.0.2",
                              .user_agent = "",
                              .request_id = ""};
    const std::int64_t micros = (nanos + 500) / 1000;
    EXPECT_EQ(access_event(record).message,
              fmt::format("GET /app1/ {} {}B {}.{:03}ms 10.0.0.2", record.status, bytes,
                          micros / 1000, micros % 1000));
  }
}

TEST(JsonText, EscapesEveryByteAsBoostJsonDoes) {
  for (int byte = 0; byte < 0x80; ++byte) {
    const std::string text = std::string("a") + static_cast<char>(byte) + "b";
    std::string out;
    append_json_string(out, text);
    EXPECT_EQ(out, boost::json::serialize(boost::json::value(text))) << byte;
  }
  std::string out;
  append_json_string(out, "\xff\xe2\x82\xac\xe2\x82");
  EXPECT_EQ(out, "\"\xEF\xBF\xBD€\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonText, FindsTheByteToEscapeAtEveryPlaceOfALongString) {
  // Plain runs are scanned eight bytes at a time: any byte at any place of a word, and in the
  // tail after the last whole word, must still be seen.
  for (int byte = 0; byte < 0x100; ++byte) {
    for (std::size_t at = 0; at < 27; ++at) {
      std::string text(27, 'x');
      text[at] = static_cast<char>(byte);
      std::string valid = text;  // a lone byte >= 0x80 is invalid UTF-8: written as U+FFFD
      if (byte >= 0x80) valid.replace(at, 1, "\xEF\xBF\xBD");
      std::string out;
      append_json_string(out, text);
      ASSERT_EQ(out, boost::json::serialize(boost::json::value(valid))) << byte << " at " << at;
    }
  }
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

TEST(EventJson, TimestampIsTheEventsTimeWhateverCameBefore) {
  // The text up to the second is kept per thread: records in the same second, the next one,
  // an earlier one, before 1970 and in 2255 (system_clock ends in 2262) must each still carry their
  // own time.
  using namespace std::chrono;
  const std::int64_t base = 1'798'559'196'123;
  const std::array<std::int64_t, 12> times = {
      base,     base + 1, base + 876, base + 877, base + 1'000,      base - 5'000,
      base + 1, 0,        -1,         -1'001,     9'000'000'000'999, base};
  const Identity identity{.service_name = "s", .node_name = "n", .hostname = "h", .pid = 1};
  for (const std::int64_t ms : times) {
    Event event(Level::info, "m");
    event.time = system_clock::time_point{milliseconds(ms)};
    const auto record = parse(to_json(event, identity, "e"));
    EXPECT_EQ(std::string_view(record.at("@timestamp").as_string()), iso8601_utc(ms)) << ms;
  }
}

TEST(EventId, IsTheBootIdIn16HexDigitsThenTheSequenceInHex) {
  std::mt19937_64 random(11);
  const std::array<std::uint64_t, 6> edges = {0, 1, 15, 16, 0xFFFF'FFFF, UINT64_MAX};
  for (int round = 0; round < 2000; ++round) {
    const std::uint64_t boot = round < 6 ? edges[static_cast<std::size_t>(round)] : random();
    const std::uint64_t sequence =
        round < 6 ? edges[5 - static_cast<std::size_t>(round)] : random() >> (round % 64);
    char text[kEventIdSize];
    const std::size_t length = format_event_id(boot, sequence, text);
    ASSERT_EQ(std::string_view(text, length), fmt::format("{:016x}-{:x}", boot, sequence))
        << boot << " " << sequence;
  }
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
