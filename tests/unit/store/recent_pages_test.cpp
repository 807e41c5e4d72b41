#include "store/recent_pages.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ferretdb_server.hpp"
#include "store/store.hpp"

namespace cppapp::store {
namespace {

using namespace std::chrono_literals;
using Clock = RecentPages::Clock;

Page page_of(int entries, std::size_t message_size = 10) {
  Page page;
  for (int i = 0; i < entries; ++i) {
    page.entries.push_back({std::string(23, '0') + std::to_string(i % 10), "name",
                            std::string(message_size, 'm'), 1000 + i});
  }
  return page;
}

const std::optional<std::string> newest;
const FilesStamp files{{true, 1, 2, 4096, 1000}, {true, 1, 3, 0, 1000}};

/// The files as find() would be told they are now.
std::function<FilesStamp()> stamped(const FilesStamp& now) {
  return [now] { return now; };
}

TEST(RecentPages, LooksAtTheFilesOnlyWhenItKeepsThePage) {
  RecentPages pages(64 * 1024, 1s);
  const auto now = Clock::now();
  int looks = 0;
  const std::function<FilesStamp()> counted = [&looks] {
    ++looks;
    return files;
  };
  EXPECT_EQ(pages.find(20, newest, counted, now), nullptr);
  pages.keep(20, newest, pages.generation(), files, page_of(1), now);
  EXPECT_EQ(pages.find(5, newest, counted, now), nullptr);
  EXPECT_EQ(pages.find(20, newest, counted, now + 1s), nullptr);
  EXPECT_EQ(looks, 0) << "no page kept for these";
  EXPECT_NE(pages.find(20, newest, counted, now), nullptr);
  EXPECT_EQ(looks, 1);
}

TEST(RecentPages, AnswersAPageKeptAtTheCurrentGenerationUntilItIsTooOld) {
  RecentPages pages(64 * 1024, 1s);
  const Clock::time_point t0 = Clock::now();
  EXPECT_EQ(pages.find(20, newest, stamped(files), t0), nullptr);
  pages.keep(20, newest, pages.generation(), files, page_of(3), t0);
  const auto found = pages.find(20, newest, stamped(files), t0 + 999ms);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->entries.size(), 3u);
  EXPECT_EQ(pages.find(20, newest, stamped(files), t0 + 1s), nullptr)
      << "as old as the limit: asked again";
}

TEST(RecentPages, APageIsNotFoundOnceTheFilesChanged) {
  RecentPages pages(64 * 1024, 1s);
  const auto now = Clock::now();
  pages.keep(20, newest, pages.generation(), files, page_of(2), now);
  FilesStamp grown = files;
  grown.log.size += 4096;
  EXPECT_EQ(pages.find(20, newest, stamped(grown), now), nullptr);
  FilesStamp touched = files;
  touched.log.modified_ns += 1;
  EXPECT_EQ(pages.find(20, newest, stamped(touched), now), nullptr);
  FilesStamp replaced = files;
  replaced.database.inode += 1;
  EXPECT_EQ(pages.find(20, newest, stamped(replaced), now), nullptr);
  FilesStamp log_gone = files;
  log_gone.log = {};
  EXPECT_EQ(pages.find(20, newest, stamped(log_gone), now), nullptr);
  EXPECT_NE(pages.find(20, newest, stamped(files), now), nullptr);
}

TEST(RecentPages, TellsPagesApartByLimitAndCursor) {
  RecentPages pages(64 * 1024, 1s);
  const auto now = Clock::now();
  const std::optional<std::string> cursor = std::string(24, 'a');
  pages.keep(20, newest, pages.generation(), files, page_of(2), now);
  pages.keep(5, cursor, pages.generation(), files, page_of(1), now);
  EXPECT_EQ(pages.find(20, newest, stamped(files), now)->entries.size(), 2u);
  EXPECT_EQ(pages.find(5, cursor, stamped(files), now)->entries.size(), 1u);
  EXPECT_EQ(pages.find(5, newest, stamped(files), now), nullptr);
  EXPECT_EQ(pages.find(20, cursor, stamped(files), now), nullptr);
}

TEST(RecentPages, AWriteForgetsEveryPage) {
  RecentPages pages(64 * 1024, 1s);
  const auto now = Clock::now();
  pages.keep(20, newest, pages.generation(), files, page_of(2), now);
  pages.forget_all();
  EXPECT_EQ(pages.find(20, newest, stamped(files), now), nullptr);
  EXPECT_EQ(pages.bytes(), 0u);
}

TEST(RecentPages, APageReadBeforeAWriteCommittedIsNotKept) {
  RecentPages pages(64 * 1024, 1s);
  const auto now = Clock::now();
  const std::uint64_t read_began = pages.generation();
  pages.forget_all();  // a write committed while the read ran
  pages.keep(20, newest, read_began, files, page_of(2), now);
  EXPECT_EQ(pages.find(20, newest, stamped(files), now), nullptr);
  pages.keep(20, newest, pages.generation(), files, page_of(2), now);
  EXPECT_NE(pages.find(20, newest, stamped(files), now), nullptr);
}

TEST(RecentPages, StaysWithinItsBytesByForgettingTheOldestFirst) {
  const std::size_t one = page_bytes(page_of(2, 100));
  RecentPages pages(3 * one, 1s);
  const auto now = Clock::now();
  for (std::size_t limit = 1; limit <= 4; ++limit) {
    pages.keep(limit, newest, pages.generation(), files, page_of(2, 100), now);
  }
  EXPECT_EQ(pages.bytes(), 3 * one);
  EXPECT_EQ(pages.find(1, newest, stamped(files), now), nullptr) << "the oldest went";
  for (std::size_t limit = 2; limit <= 4; ++limit)
    EXPECT_NE(pages.find(limit, newest, stamped(files), now), nullptr);
}

TEST(RecentPages, KeepingOnePageAgainAndAgainNeitherGrowsNorEvictsTheOthers) {
  const std::size_t one = page_bytes(page_of(2, 100));
  RecentPages pages(3 * one, 1s);
  const auto now = Clock::now();
  pages.keep(1, newest, pages.generation(), files, page_of(2, 100), now);
  pages.keep(2, newest, pages.generation(), files, page_of(2, 100), now);
  for (int i = 0; i < 10'000; ++i)
    pages.keep(3, newest, pages.generation(), files, page_of(2, 100), now);
  EXPECT_EQ(pages.bytes(), 3 * one);
  for (std::size_t limit = 1; limit <= 3; ++limit)
    EXPECT_NE(pages.find(limit, newest, stamped(files), now), nullptr);
  // The page kept again is now the newest: a fourth one evicts page 1, then page 2.
  pages.keep(4, newest, pages.generation(), files, page_of(2, 100), now);
  EXPECT_EQ(pages.find(1, newest, stamped(files), now), nullptr);
  EXPECT_NE(pages.find(3, newest, stamped(files), now), nullptr);
}

TEST(RecentPages, KeepsNothingLargerThanItsBytesAndNothingAtZero) {
  const auto now = Clock::now();
  RecentPages small(page_bytes(page_of(2)) - 1, 1s);
  small.keep(20, newest, small.generation(), files, page_of(2), now);
  EXPECT_EQ(small.find(20, newest, stamped(files), now), nullptr);
  RecentPages none(0, 1s);
  none.keep(20, newest, none.generation(), files, Page{}, now);
  EXPECT_EQ(none.find(20, newest, stamped(files), now), nullptr);
}

// The embedded store through its interface: reads it keeps, and writes that make it forget them,
// its own and another program's.
class SqliteRecentPages : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::unique_ptr<Store> store = open_sqlite_store(dir.path(), 64 * 1024);
};

TEST_F(SqliteRecentPages, APageReadIsCurrentUntilTheNextWrite) {
  store->create({"Ada", "first"});
  EXPECT_EQ(store->current_page(20, newest), nullptr) << "not read yet";
  const Page read = store->list(20, newest);
  const auto kept = store->current_page(20, newest);
  ASSERT_NE(kept, nullptr);
  ASSERT_EQ(kept->entries.size(), 1u);
  EXPECT_EQ(kept->entries[0].id, read.entries[0].id);
  EXPECT_EQ(store->current_page(5000, newest), nullptr) << "a limit of its own";
  store->list(5000, newest);
  EXPECT_NE(store->current_page(5000, newest), nullptr) << "clamped as list clamps it";
  EXPECT_EQ(store->current_page(20, std::string("not an id")), nullptr);

  const Entry second = store->create({"Bob", "second"});
  EXPECT_EQ(store->current_page(20, newest), nullptr);
  EXPECT_EQ(store->list(20, newest).entries.front().id, second.id);
  EXPECT_EQ(store->current_page(20, newest)->entries.size(), 2u);
}

TEST_F(SqliteRecentPages, NothingIsKeptWithoutBytes) {
  store->create({"Ada", "first"});
  store->list(20, newest);
  std::unique_ptr<Store> uncached = open_sqlite_store(dir.path() / "other", 0);
  uncached->create({"Ada", "first"});
  uncached->list(20, newest);
  EXPECT_EQ(uncached->current_page(20, newest), nullptr);
  EXPECT_NE(store->current_page(20, newest), nullptr);
}

std::vector<std::string> messages(const Page& page) {
  std::vector<std::string> out;
  for (const auto& entry : page.entries) out.push_back(entry.message);
  return out;
}

// An operator moderating with the sqlite3 shell: each change shows in the next read, also after
// the log was checkpointed and truncated (so it is rewritten from its start).
TEST_F(SqliteRecentPages, AnotherProgramsWritesShowAtOnce) {
  store->create({"Ada", "first"});
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "guestbook.sqlite3").c_str(), &other), SQLITE_OK);
  sqlite3_busy_timeout(other, 5000);
  const std::vector<std::pair<const char*, std::vector<std::string>>> steps{
      {"INSERT INTO entries VALUES ('ffffffffffffffffffffffff', 'x', 'inserted', 1)",
       {"inserted", "first"}},
      {"UPDATE entries SET message = 'moderated' WHERE name = 'Ada'", {"inserted", "moderated"}},
      {"UPDATE entries SET message = 'moderated again' WHERE name = 'Ada'",
       {"inserted", "moderated again"}},
      {"PRAGMA wal_checkpoint(TRUNCATE)", {"inserted", "moderated again"}},
      {"UPDATE entries SET message = 'after' WHERE name = 'Ada'", {"inserted", "after"}},
      {"DELETE FROM entries WHERE name = 'x'", {"after"}},
  };
  for (const auto& [change, expected] : steps) {
    store->list(20, newest);
    ASSERT_NE(store->current_page(20, newest), nullptr) << change;
    ASSERT_EQ(sqlite3_exec(other, change, nullptr, nullptr, nullptr), SQLITE_OK) << change;
    if (const auto kept = store->current_page(20, newest)) {
      EXPECT_EQ(messages(*kept), expected) << "a stale page kept after: " << change;
    }
    EXPECT_EQ(messages(store->list(20, newest)), expected) << change;
  }
  sqlite3_close(other);
}

}  // namespace
}  // namespace cppapp::store
