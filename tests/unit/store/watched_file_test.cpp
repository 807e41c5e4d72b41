#include "store/watched_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ferretdb_server.hpp"

namespace cppapp::store {
namespace {

void write(const std::filesystem::path& file, const std::string& text,
           std::ios::openmode mode = std::ios::trunc) {
  std::ofstream(file, std::ios::binary | mode) << text;
}

class WatchedFileTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::filesystem::path file = dir.path() / "watched";
};

TEST_F(WatchedFileTest, SeesAFileAppearGrowAndGo) {
  WatchedFile watched(file.string());
  EXPECT_FALSE(watched.state().exists);
  write(file, "one");
  const FileState first = watched.state();
  ASSERT_TRUE(first.exists);
  EXPECT_EQ(first.size, 3u);
  EXPECT_EQ(watched.state(), first) << "nothing changed";
  write(file, "two", std::ios::app);
  EXPECT_EQ(watched.state().size, 6u);
  std::filesystem::remove(file);
  EXPECT_FALSE(watched.state().exists);
  write(file, "back");
  EXPECT_EQ(watched.state().size, 4u);
}

TEST_F(WatchedFileTest, FollowsTheFileAtThePathWhenAnotherIsRenamedOverIt) {
  WatchedFile watched(file.string());
  write(file, "original");
  const FileState original = watched.state();
  const auto replacement = dir.path() / "replacement";
  write(replacement, "original");  // same size: only the inode tells them apart
  std::filesystem::rename(replacement, file);
  const FileState replaced = watched.state();
  EXPECT_NE(replaced, original);
  EXPECT_EQ(replaced.size, original.size);
  // And it goes on watching the new file, not the old descriptor's.
  write(file, "longer now", std::ios::app);
  EXPECT_EQ(watched.state().size, replaced.size + 10);
}

TEST_F(WatchedFileTest, ARewriteOfTheSameSizeMovesTheModificationTime) {
  WatchedFile watched(file.string());
  write(file, "aaaa");
  const FileState before = watched.state();
  // Past the file system's timestamp tick (a few milliseconds at most), set by hand so the test
  // does not wait for it.
  std::filesystem::last_write_time(
      file, std::filesystem::last_write_time(file) - std::chrono::seconds(2));
  const FileState older = watched.state();
  EXPECT_NE(older, before);
  write(file, "bbbb");
  const FileState rewritten = watched.state();
  EXPECT_EQ(rewritten.size, before.size);
  EXPECT_NE(rewritten.modified_ns, older.modified_ns);
}

}  // namespace
}  // namespace cppapp::store
