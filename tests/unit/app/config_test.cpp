#include "app/config.hpp"

#include <gtest/gtest.h>

#include "app/usable_cores.hpp"

namespace cppapp::app {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, AcceptsUnits) {
  EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("10"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
}

TEST(ParseDuration, RejectsNonsense) {
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("soon"));
  EXPECT_FALSE(parse_duration("10 s"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("5d"));
}

TEST(ParseConfig, DefaultsMatchTheDesign) {
  const char* argv[] = {"cppapp"};
  ConfigResult result = parse_config(1, argv);
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->port, 8080);
  EXPECT_EQ(result.config->host, "0.0.0.0");
  EXPECT_EQ(result.config->mount, "/app1");
  EXPECT_EQ(result.config->body_limit, 100u * 1024u);
  EXPECT_EQ(result.config->header_limit, 16u * 1024u);
  EXPECT_EQ(result.config->shutdown_grace, milliseconds(10'000));
  EXPECT_EQ(result.config->keepalive_timeout, milliseconds(5'000));
}

TEST(ParseConfig, WorkersFollowTheStoreUnlessSet) {
  // The embedded store's calls are local work: one worker per usable core, at least 2.
  EXPECT_EQ(default_workers(true, 1), 2u);
  EXPECT_EQ(default_workers(true, 2), 2u);
  EXPECT_EQ(default_workers(true, 8), 8u);
  // MongoDB's calls wait on the network: 4 whatever the cores.
  EXPECT_EQ(default_workers(false, 1), 4u);
  EXPECT_EQ(default_workers(false, 16), 4u);

  const char* embedded[] = {"cppapp"};
  ASSERT_TRUE(parse_config(1, embedded).config);
  EXPECT_EQ(parse_config(1, embedded).config->workers, default_workers(true, usable_cores()));
  const char* mongo[] = {"cppapp", "--mongo-url", "mongodb://mongo-store/nodeapp"};
  EXPECT_EQ(parse_config(3, mongo).config->workers, 4u);
  const char* given[] = {"cppapp", "--mongo-url", "mongodb://mongo-store/nodeapp", "--workers",
                         "7"};
  EXPECT_EQ(parse_config(5, given).config->workers, 7u);
  const char* given_embedded[] = {"cppapp", "--workers", "1"};
  EXPECT_EQ(parse_config(3, given_embedded).config->workers, 1u);
}

TEST(ParseConfig, FlagsOverrideDefaults) {
  const char* argv[] = {"cppapp", "--port",           "9000", "--body-limit",
                        "1mb",    "--shutdown-grace", "500ms"};
  ConfigResult result = parse_config(7, argv);
  ASSERT_TRUE(result.config);
  EXPECT_EQ(result.config->port, 9000);
  EXPECT_EQ(result.config->body_limit, 1024u * 1024u);
  EXPECT_EQ(result.config->shutdown_grace, milliseconds(500));
}

TEST(ParseConfig, BadValueExitsWith2) {
  const char* argv[] = {"cppapp", "--keepalive-timeout", "forever"};
  ConfigResult result = parse_config(3, argv);
  EXPECT_FALSE(result.config);
  EXPECT_EQ(result.exit_code, 2);
}

}  // namespace
}  // namespace cppapp::app
