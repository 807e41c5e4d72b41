#include "log/spool.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>

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

// A full disk, simulated by a file size limit on this process (RLIMIT_FSIZE: writes past it fail
// with EFBIG, or are cut short, as on a disk with a few bytes left; SIGXFSZ ignored so the write
// fails instead of ending the test). The refused append leaves nothing behind: the next append
// does not continue a torn record, and the reader sees whole records only.
TEST_F(SpoolTest, AWriteThatFailsHalfwayLeavesNoTornRecord) {
  Spool spool(dir, 1 << 20);
  const std::string first = "{\"n\":1,\"host.hostname\":\"a\"}\n";
  ASSERT_TRUE(spool.append(first));
  struct rlimit saved {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit tight = saved;
  tight.rlim_cur = first.size() + 10;  // room for 10 bytes of the next record
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);
  const bool refused = !spool.append(std::string(100, 'x') + "\n");
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  std::signal(SIGXFSZ, previous_handler);
  EXPECT_TRUE(refused);
  EXPECT_EQ(spool.bytes(), first.size());
  const std::string second = "{\"n\":2}\n";
  ASSERT_TRUE(spool.append(second));
  EXPECT_EQ(drain(spool), first + second);
}

TEST_F(SpoolTest, ATornTailLeftByAnEarlierProcessIsNeverShippedOrContinued) {
  fs::create_directories(dir);
  std::ofstream(dir / "segment-00000000000000000001.ndjson")
      << "{\"a\":1}\n{\"b\":2}\n{\"host.hostna";
  std::ofstream(dir / "segment-00000000000000000002.ndjson") << "{\"torn-only";
  Spool spool(dir, 1 << 20);
  EXPECT_EQ(spool.bytes(), 16u);
  ASSERT_TRUE(spool.append("{\"c\":3}\n"));
  EXPECT_EQ(drain(spool), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
}

TEST_F(SpoolTest, ADirectoryRemovedWhileInUseRefusesWritesSaysWhyAndRecovers) {
  Spool spool(dir, 1 << 20, 64);
  ASSERT_TRUE(spool.append("before\n"));
  fs::remove_all(dir);
  // Nothing is written into a file nobody can read back, and nothing throws.
  EXPECT_FALSE(spool.append("lost\n"));
  EXPECT_NE(spool.last_error().find(dir.string()), std::string::npos) << spool.last_error();
  EXPECT_FALSE(spool.append("lost again\n"));
  EXPECT_NO_THROW(drain(spool));
  // The directory back: the spool works again, and says nothing is wrong.
  fs::create_directories(dir);
  ASSERT_TRUE(spool.append("after\n"));
  EXPECT_EQ(spool.last_error(), "");
  EXPECT_EQ(drain(spool), "after\n");
}

TEST_F(SpoolTest, ADirectoryReplacedByAFileNeverThrows) {
  Spool spool(dir, 1 << 20, 16);
  ASSERT_TRUE(spool.append("one line here\n"));
  ASSERT_TRUE(spool.append("second line\n"));  // a second segment
  fs::remove_all(dir);
  std::ofstream(dir) << "not a directory";
  EXPECT_FALSE(spool.append("x\n"));
  EXPECT_FALSE(spool.last_error().empty());
  EXPECT_NO_THROW(drain(spool));
  fs::remove(dir);
  // A spool opened on such a path refuses appends instead of throwing, too.
  std::ofstream(dir) << "not a directory";
  EXPECT_NO_THROW({
    Spool broken(dir / "log-spool", 1 << 20);
    EXPECT_FALSE(broken.append("x\n"));
    EXPECT_FALSE(broken.last_error().empty());
  });
  fs::remove(dir);
}

}  // namespace
}  // namespace cppapp::log
