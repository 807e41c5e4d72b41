#include "app/route_match.hpp"

#include <gtest/gtest.h>

namespace cppapp::app {
namespace {

TEST(MatchMount, MountItselfWithAndWithoutSlashIsTheAppRoot) {
  EXPECT_EQ(match_mount("/app1", "/app1"), "/");
  EXPECT_EQ(match_mount("/app1", "/app1/"), "/");
  EXPECT_EQ(match_mount("/app1", "/app1/public/a.css"), "/public/a.css");
  EXPECT_EQ(match_mount("/app1", "/app1//x"), "/x");
  EXPECT_EQ(match_mount("/app1", "/app1//"), "/");
  EXPECT_EQ(match_mount("/app1", "/app1///"), "//");
}

TEST(MatchMount, IsCaseInsensitiveLikeExpress) {
  EXPECT_EQ(match_mount("/app1", "/APP1/Guestbook"), "/Guestbook");
}

TEST(MatchMount, RefusesOtherPaths) {
  EXPECT_FALSE(match_mount("/app1", "/app1x"));
  EXPECT_FALSE(match_mount("/app1", "/app"));
  EXPECT_FALSE(match_mount("/app1", "/"));
  EXPECT_FALSE(match_mount("/app1", "/other/app1"));
}

TEST(MatchRoute, RootMatchesOnlySlash) {
  EXPECT_TRUE(match_route("/", "/"));
  EXPECT_FALSE(match_route("/", "//"));
  EXPECT_FALSE(match_route("/", "/x"));
}

TEST(MatchRoute, OptionalTrailingSlashAndCase) {
  EXPECT_TRUE(match_route("/guestbook", "/guestbook"));
  EXPECT_TRUE(match_route("/guestbook", "/guestbook/"));
  EXPECT_TRUE(match_route("/guestbook", "/GuestBook"));
  EXPECT_FALSE(match_route("/guestbook", "/guestbook//"));
  EXPECT_FALSE(match_route("/guestbook", "/guestbook/x"));
  EXPECT_FALSE(match_route("/guestbook", "/guestboo"));
}

TEST(MatchRoute, ParametersAreDecoded) {
  auto params = match_route("/api/entries/:id", "/api/entries/a%20b");
  ASSERT_TRUE(params);
  ASSERT_EQ(params->size(), 1u);
  EXPECT_EQ((*params)[0].first, "id");
  EXPECT_EQ((*params)[0].second, "a b");
}

TEST(MatchRoute, EmptyOrUndecodableParametersFail) {
  EXPECT_FALSE(match_route("/api/entries/:id", "/api/entries/"));
  EXPECT_FALSE(match_route("/api/entries/:id", "/api/entries/%zz"));
  EXPECT_FALSE(match_route("/api/entries/:id", "/api/entries/1/2"));
}

}  // namespace
}  // namespace cppapp::app
