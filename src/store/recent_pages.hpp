// Pages of entries the embedded store read since its last write. A read that no write can have
// changed is answered from memory: no database call, and no hand-off to a worker and back, which
// costs more than the query itself. cppapp's own writes forget every page; another program's
// (an operator moderating with the sqlite3 shell) show in the database files' stamp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/store.hpp"
#include "store/watched_file.hpp"

namespace cppapp::store {

/// The database file and its write-ahead log as they were at one moment. In WAL mode every
/// commit appends to (or, after a checkpoint, rewrites) the log, which moves its size or its
/// modification time; a write that bypasses the log changes the file.
struct FilesStamp {
  FileState database, log;
  bool operator==(const FilesStamp&) const = default;
};

/// The database's files, watched (watched_file.hpp): a stamp costs two fstat calls.
class DatabaseFiles {
 public:
  explicit DatabaseFiles(const std::filesystem::path& database)
      : database_(database.string()), log_(database.string() + "-wal") {}
  FilesStamp stamp() { return {database_.state(), log_.state()}; }

 private:
  WatchedFile database_, log_;
};

class RecentPages {
 public:
  using Clock = std::chrono::steady_clock;

  /// Keeps at most `max_bytes` of pages (0: none), each for at most `max_age`. The age bounds the
  /// one change a stamp can miss: another program rewriting the log to the same size within the
  /// file system's timestamp tick of the stamp taken before a read.
  RecentPages(std::size_t max_bytes, Clock::duration max_age);

  /// False when it keeps nothing (0 bytes): no need to stamp the files.
  bool enabled() const { return max_bytes_ > 0; }

  /// Take before a read starts, and hand it to keep() with the page read.
  std::uint64_t generation() const;

  /// The page `list(limit, before)` would read now; null when not kept, too old, written since, or
  /// the files changed since it was read. `files_now` stamps the files as they are: called only
  /// when such a page is kept, so a read of a page not kept costs no look at the files.
  std::shared_ptr<const Page> find(std::size_t limit, const std::optional<std::string>& before,
                                   const std::function<FilesStamp()>& files_now,
                                   Clock::time_point now = Clock::now()) const;

  /// Keeps a page read at `generation` from files stamped `files` before the read began, unless
  /// cppapp wrote since (the page may predate that write).
  void keep(std::size_t limit, const std::optional<std::string>& before, std::uint64_t generation,
            const FilesStamp& files, const Page& page, Clock::time_point now = Clock::now());

  /// After a write committed: no kept page is current any more.
  void forget_all();

  /// Bytes kept now (a page counts its entries' text and a fixed overhead per entry).
  std::size_t bytes() const;

 private:
  using Key = std::pair<std::size_t, std::string>;  // limit, `before` ("" for the newest page)
  using KeyView = std::pair<std::size_t, std::string_view>;
  /// Orders keys and finds one by a view of it, without making a string for every lookup.
  struct KeyOrder {
    using is_transparent = void;
    static KeyView view(const Key& key) { return {key.first, key.second}; }
    static KeyView view(const KeyView& key) { return key; }
    bool operator()(const auto& a, const auto& b) const { return view(a) < view(b); }
  };
  struct Kept {
    std::shared_ptr<const Page> page;
    FilesStamp files;
    Clock::time_point read_at;
    std::size_t bytes;
    std::uint64_t serial;  // which entry of insertion_order_ is this page's
  };
  bool is_current(const std::pair<Key, std::uint64_t>& named) const;

  const std::size_t max_bytes_;
  const Clock::duration max_age_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::map<Key, Kept, KeyOrder> pages_;
  // Oldest first; also names pages already replaced or evicted (their serial no longer matches).
  std::deque<std::pair<Key, std::uint64_t>> insertion_order_;
  std::uint64_t next_serial_ = 0;
  std::size_t bytes_ = 0;
};

/// The memory a page takes, as RecentPages counts it.
std::size_t page_bytes(const Page& page);

}  // namespace cppapp::store
