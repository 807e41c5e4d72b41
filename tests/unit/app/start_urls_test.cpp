#include "app/start_urls.hpp"

#include <gtest/gtest.h>

namespace cppapp::app {
namespace {

using Urls = std::vector<std::string>;

TEST(StartUrls, AWildcardAddressGivesLoopbackThenTheMachinesAddress) {
  EXPECT_EQ(start_urls("0.0.0.0", 8080, "/app1", "192.0.2.2"),
            (Urls{"http://127.0.0.1:8080/app1/", "http://192.0.2.2:8080/app1/"}));
  EXPECT_EQ(start_urls("::", 8080, "/app1", "192.0.2.2"),
            (Urls{"http://[::1]:8080/app1/", "http://192.0.2.2:8080/app1/"}));
}

TEST(StartUrls, AMachineWithOnlyLoopbackGivesOneUrl) {
  EXPECT_EQ(start_urls("0.0.0.0", 8080, "/app1", "127.0.0.1"),
            (Urls{"http://127.0.0.1:8080/app1/"}));
}

TEST(StartUrls, AGivenAddressIsTheOnlyOneThatWorks) {
  EXPECT_EQ(start_urls("127.0.0.1", 9000, "/shop", "192.0.2.2"),
            (Urls{"http://127.0.0.1:9000/shop/"}));
  EXPECT_EQ(start_urls("::1", 9000, "/app1", "192.0.2.2"), (Urls{"http://[::1]:9000/app1/"}));
  EXPECT_EQ(start_urls("localhost", 80, "/app1", "192.0.2.2"), (Urls{"http://localhost:80/app1/"}));
}

TEST(StartUrls, TheLineKeepsTheSeedsWordsAndListsTheRest) {
  EXPECT_EQ(started_line({"http://127.0.0.1:8080/app1/"}),
            "Started server: http://127.0.0.1:8080/app1/");
  EXPECT_EQ(started_line({"http://127.0.0.1:8080/app1/", "http://192.0.2.2:8080/app1/"}),
            "Started server: http://127.0.0.1:8080/app1/ (also http://192.0.2.2:8080/app1/)");
}

}  // namespace
}  // namespace cppapp::app
