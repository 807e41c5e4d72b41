#include "store/store.hpp"

#include <gtest/gtest.h>

namespace cppapp::store {
namespace {

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
