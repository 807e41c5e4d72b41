#include "store/store.hpp"

#include <gtest/gtest.h>

namespace cppapp::store {
namespace {

TEST(Iso8601Utc, MatchesJavaScriptToIsoString) {
  // Expected values from Node 20: new Date(ms).toISOString()
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(1795967196123), "2026-11-29T15:46:36.123Z");
  EXPECT_EQ(iso8601_utc(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(iso8601_utc(253402300800000), "+010000-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(-62198755200000), "-000001-01-01T00:00:00.000Z");
}

TEST(IsValidId, AcceptsOnlyLowerCaseObjectIdHex) {
  EXPECT_TRUE(is_valid_id("507f1f77bcf86cd799439011"));
  EXPECT_TRUE(is_valid_id(std::string(24, '0')));
  EXPECT_FALSE(is_valid_id("507F1F77BCF86CD799439011"));
  EXPECT_FALSE(is_valid_id("507f1f77bcf86cd79943901"));
  EXPECT_FALSE(is_valid_id("507f1f77bcf86cd7994390111"));
  EXPECT_FALSE(is_valid_id("507f1f77bcf86cd79943901g"));
  EXPECT_FALSE(is_valid_id(""));
  EXPECT_FALSE(is_valid_id(std::string_view("507f1f77bcf86cd79943901\0", 24)));
}

TEST(StoreError, CarriesKindAndMessage) {
  const StoreError error(StoreError::Kind::unavailable, "down");
  EXPECT_EQ(error.kind, StoreError::Kind::unavailable);
  EXPECT_STREQ(error.what(), "down");
}

}  // namespace
}  // namespace cppapp::store
