#include "store/entry_validation.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace cppapp::store {
namespace {

namespace json = boost::json;

ValidationResult validate(std::string_view body) {
  return validate_entry(json::parse(body));
}

json::value body_with(std::string name, std::string message) {
  return json::object{{"name", std::move(name)}, {"message", std::move(message)}};
}

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(ValidateEntry, AcceptsAPlainEntry) {
  const ValidationResult result = validate(R"({"name":"Ada","message":"Hello!"})");
  ASSERT_TRUE(result.entry);
  EXPECT_TRUE(result.field_errors.empty());
  EXPECT_EQ(result.entry->name, "Ada");
  EXPECT_EQ(result.entry->message, "Hello!");
}

TEST(ValidateEntry, IgnoresOtherKeys) {
  const ValidationResult result = validate(R"({"name":"A","message":"B","submit":"Sign","n":[1]})");
  ASSERT_TRUE(result.entry);
}

TEST(ValidateEntry, ReportsMissingFields) {
  const ValidationResult result = validate(R"({})");
  EXPECT_FALSE(result.entry);
  EXPECT_EQ(result.field_errors.at("name"), "Name is required.");
  EXPECT_EQ(result.field_errors.at("message"), "Message is required.");
  EXPECT_EQ(validate(R"({"name":null,"message":"x"})").field_errors.at("name"),
            "Name is required.");
}

TEST(ValidateEntry, RejectsABodyThatIsNotAnObject) {
  for (const char* body : {R"([])", R"("name")", "42", "null", "true"}) {
    const ValidationResult result = validate(body);
    EXPECT_FALSE(result.entry) << body;
    EXPECT_EQ(result.field_errors.at("body"), "Send an object with a name and a message.") << body;
  }
}

TEST(ValidateEntry, RejectsNonStringValues) {
  for (const char* value : {R"({"$gt":""})", R"({"a":1})", R"(["x"])", "42", "1.5", "true", "[]"}) {
    const ValidationResult result =
        validate(std::string(R"({"name":)") + value + R"(,"message":"ok"})");
    EXPECT_FALSE(result.entry) << value;
    EXPECT_EQ(result.field_errors.size(), 1u) << value;
  }
  EXPECT_EQ(validate(R"({"name":["x"],"message":"ok"})").field_errors.at("name"),
            "Name must be text.");
  EXPECT_EQ(validate(R"({"name":"x","message":42})").field_errors.at("message"),
            "Message must be text.");
}

TEST(ValidateEntry, RejectsOperatorKeysAnywhere) {
  for (const char* body :
       {R"({"name":{"$gt":""},"message":"m"})", R"({"name":"a","message":"m","$where":"1"})",
        R"({"name":"a","message":"m","x":[{"y":{"$ne":null}}]})",
        R"({"$set":{"name":"a"},"name":"a","message":"m"})"}) {
    const ValidationResult result = validate(body);
    EXPECT_FALSE(result.entry) << body;
    EXPECT_EQ(result.field_errors.at("body"), "Field names must not start with '$'.") << body;
  }
  // A '$' inside a value is just text.
  EXPECT_TRUE(validate(R"({"name":"$gt","message":"{\"$ne\":null}"})").entry);
}

TEST(ValidateEntry, DeepNestingIsWalkedWithoutRecursion) {
  json::value deep = json::object{{"$x", 1}};
  for (int i = 0; i < 5000; ++i) deep = json::array{std::move(deep)};
  const json::object body{{"name", "a"}, {"message", "b"}, {"extra", std::move(deep)}};
  EXPECT_EQ(validate_entry(body).field_errors.at("body"), "Field names must not start with '$'.");
}

TEST(ValidateEntry, RejectsInvalidUtf8) {
  for (const std::string& bad : {std::string("\xff"), std::string("a\xc3"), std::string("\xc0\xaf"),
                                 std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"),
                                 std::string("\x80"), std::string("\xe2\x82")}) {
    const ValidationResult result = validate_entry(body_with(bad, "ok"));
    EXPECT_FALSE(result.entry);
    EXPECT_EQ(result.field_errors.at("name"), "Name must be valid UTF-8 text.");
    EXPECT_EQ(validate_entry(body_with("ok", bad)).field_errors.at("message"),
              "Message must be valid UTF-8 text.");
  }
}

TEST(ValidateEntry, RejectsControlCharacters) {
  for (const std::string& bad :
       {std::string("a\nb"), std::string("a\tb"), std::string("a\rb"), std::string("a\0b", 3),
        std::string("a\x1b[31mb"), std::string("a\x7f"), std::string("a\xc2\x85"),
        std::string("a\xc2\x9f")}) {
    EXPECT_EQ(validate_entry(body_with(bad, "ok")).field_errors.at("name"),
              "Name must not contain control characters or line breaks.");
  }
  for (const std::string& bad : {std::string("a\0b", 3), std::string("a\x1b[31mb"),
                                 std::string("a\x7f"), std::string("a\xc2\x85"),
                                 std::string("a\x0b"
                                             "b"),
                                 std::string("a\x0c"
                                             "b")}) {
    EXPECT_EQ(validate_entry(body_with("ok", bad)).field_errors.at("message"),
              "Message must not contain control characters other than line breaks and tabs.");
  }
  const ValidationResult ok = validate_entry(body_with("ok", "line 1\r\nline 2\tend"));
  ASSERT_TRUE(ok.entry);
  EXPECT_EQ(ok.entry->message, "line 1\r\nline 2\tend");
}

TEST(ValidateEntry, TrimsSurroundingWhitespaceLikeJavaScript) {
  // "\u00a0\u2003\ufeff \t\n" and "\u3000" around the text: all removed by JS trim().
  const ValidationResult result = validate_entry(body_with(
      "\xc2\xa0\xe2\x80\x83\xef\xbb\xbf \t\nAda\xe3\x80\x80", "\n\n  Hello\n  world  \r\n"));
  ASSERT_TRUE(result.entry);
  EXPECT_EQ(result.entry->name, "Ada");
  EXPECT_EQ(result.entry->message, "Hello\n  world");
  // Whitespace-only is empty; a zero-width space (not JS whitespace) is not trimmed, but a name
  // of nothing else is refused as invisible (RejectsTextThatIsOnlyInvisibleOrFormatting).
  EXPECT_EQ(validate_entry(body_with(" \t ", "m")).field_errors.at("name"),
            "Name must be 1 to 64 characters.");
  EXPECT_EQ(validate_entry(body_with("m", "\n\r\n\t")).field_errors.at("message"),
            "Message must be 1 to 500 characters.");
  EXPECT_EQ(validate_entry(body_with("\xe2\x80\x8b"
                                     "A",
                                     "m"))
                .entry->name,
            "\xe2\x80\x8b"
            "A");
  EXPECT_FALSE(validate_entry(body_with("\xe2\x80\x8b", "m")).entry);
}

TEST(ValidateEntry, CountsLengthsInCodePoints) {
  EXPECT_TRUE(validate_entry(body_with(std::string(64, 'a'), std::string(500, 'b'))).entry);
  EXPECT_EQ(validate_entry(body_with(std::string(65, 'a'), "m")).field_errors.at("name"),
            "Name must be 1 to 64 characters (it has 65).");
  EXPECT_EQ(validate_entry(body_with("n", std::string(501, 'b'))).field_errors.at("message"),
            "Message must be 1 to 500 characters (it has 501).");
  EXPECT_EQ(validate_entry(body_with("", "m")).field_errors.at("name"),
            "Name must be 1 to 64 characters.");

  // 64 emoji (4 bytes each) and 500 "é" (2 bytes each) fit; one more does not.
  EXPECT_TRUE(validate_entry(body_with(repeat("😀", 64), repeat("é", 500))).entry);
  EXPECT_EQ(validate_entry(body_with(repeat("😀", 65), "m")).field_errors.at("name"),
            "Name must be 1 to 64 characters (it has 65).");
  EXPECT_EQ(validate_entry(body_with("n", repeat("€", 501))).field_errors.at("message"),
            "Message must be 1 to 500 characters (it has 501).");
  // Trimming happens before counting.
  EXPECT_TRUE(validate_entry(body_with("  " + std::string(64, 'a') + "  ", "m")).entry);
}

TEST(ValidateEntry, ReportsBothFieldsAtOnce) {
  const ValidationResult result = validate(R"({"name":"","message":7})");
  EXPECT_FALSE(result.entry);
  EXPECT_EQ(result.field_errors.size(), 2u);
}

TEST(ValidateEntry, RejectsTextThatIsOnlyInvisibleOrFormatting) {
  const char* invisible[] = {
      "\u200B",                // zero-width space
      "\u200C\u200D",          // zero-width non-joiner, joiner
      "\u2060\uFEFF",          // word joiner, BOM
      "\u202E\u202A\u202C",    // bidi override, embedding, pop
      "\u2066\u2069",          // bidi isolates
      "\u00AD",                // soft hyphen
      "\u3164\u115F",          // Hangul fillers
      "\u2800",                // braille blank
      "\U000E0041\U000E007F",  // tag characters
      "\u200B \u3000\u200B",   // mixed with spaces inside
      "\uFFF0\uFFF8",          // reserved default-ignorable
      "\U000E0000\U000E0002",  // reserved tag-block code points
      "\U000E0080\U000E01F0",  // reserved beyond the variation selectors supplement
      "\U0001D159",            // null notehead
      "\u0301",                // a combining mark with nothing to sit on
      " \u0301\u0345",         // space and combining marks
      "\u20DD\uFE20",          // combining marks for symbols, half marks
      "\uFDD0\uFFFE\uFFFF",    // noncharacters
      "\U0001FFFE",            // a noncharacter beyond the BMP
  };
  for (const char* text : invisible) {
    const ValidationResult name = validate_entry(body_with(text, "visible"));
    EXPECT_FALSE(name.entry) << text;
    EXPECT_EQ(name.field_errors.count("name"), 1u) << text;
    const ValidationResult message = validate_entry(body_with("Ada", text));
    EXPECT_FALSE(message.entry) << text;
    EXPECT_EQ(message.field_errors.count("message"), 1u) << text;
  }
  // Visible text with such characters inside is kept as typed; a mark on a base letter is text.
  const ValidationResult mixed = validate_entry(body_with("A\u200Bda", "\u202Ehi"));
  ASSERT_TRUE(mixed.entry);
  EXPECT_EQ(mixed.entry->name, "A\u200Bda");
  const ValidationResult accented = validate_entry(body_with("Jose\u0301", "e\u0301"));
  ASSERT_TRUE(accented.entry);
  EXPECT_EQ(accented.entry->name, "Jose\u0301");
  EXPECT_EQ(validate_entry(body_with("\u200B", "x")).field_errors.at("name"),
            "Name must contain visible characters (not only spaces, zero-width or formatting "
            "characters).");
}

}  // namespace
}  // namespace cppapp::store
