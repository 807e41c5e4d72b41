#include "log/spool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace cppapp::log {
namespace {

namespace fs = std::filesystem;

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("spool-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  /// Everything the spool holds, shipped in chunks of `chunk` bytes.
  static std::string drain(Spool& spool, std::size_t chunk = 64) {
    std::string all;
    while (true) {
      std::string data = spool.peek(chunk);
      if (data.empty()) break;
      all += data;
      spool.consume(data.size());
    }
    return all;
  }

  fs::path dir;
};

TEST_F(SpoolTest, ShipsWholeLinesInOrderAcrossSegments) {
  Spool spool(dir, 1 << 20, 100);  // tiny segments: many files
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    const std::string line = "{\"n\":" + std::to_string(i) + "}\n";
    ASSERT_TRUE(spool.append(line));
    expected += line;
  }
  EXPECT_FALSE(spool.empty());
  const std::string shipped = drain(spool, 37);
  EXPECT_EQ(shipped, expected);
  EXPECT_TRUE(spool.empty());
}

TEST_F(SpoolTest, RefusesPastItsBoundWithoutWritingHalfAnything) {
  Spool spool(dir, 20);
  EXPECT_TRUE(spool.append("0123456789\n"));
  EXPECT_FALSE(spool.append("0123456789\n"));  // 22 bytes > 20
  EXPECT_EQ(spool.bytes(), 11u);
  EXPECT_EQ(drain(spool), "0123456789\n");
}

TEST_F(SpoolTest, ALaterProcessShipsWhatAnEarlierOneLeft) {
  {
    Spool first(dir, 1 << 20, 64);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(first.append("line " + std::to_string(i) + "\n"));
    first.consume(first.peek(14).size());  // "line 0\nline 1\n" shipped before it stopped
  }
  Spool second(dir, 1 << 20, 64);
  const std::string rest = drain(second);
  // At least once: what was not consumed is there (a partly shipped segment is sent again).
  for (int i = 2; i < 10; ++i)
    EXPECT_NE(rest.find("line " + std::to_string(i) + "\n"), std::string::npos) << i;
}

TEST_F(SpoolTest, FirstFilesGoBeforeSegmentsAndTornLinesAreSkipped) {
  {
    Spool writer(dir, 1 << 20);
    ASSERT_TRUE(writer.append("{\"segment\":1}\n"));
  }
  std::ofstream(dir / "first-crash-123.ndjson") << "{\"crash\":true}\n{\"torn";
  Spool spool(dir, 1 << 20);
  EXPECT_EQ(drain(spool), "{\"crash\":true}\n{\"segment\":1}\n");
  EXPECT_FALSE(fs::exists(dir / "first-crash-123.ndjson"));
}

}  // namespace
}  // namespace cppapp::log
