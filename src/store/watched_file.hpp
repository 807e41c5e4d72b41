// A file whose changes by any program are noticed cheaply: its size and modification time, read
// with fstat through a descriptor kept open (no path lookup on every check), and looked up by
// its path again once the file was deleted or replaced.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace cppapp::store {

/// What a file looks like from outside: a write by any program changes it (its size, or its
/// modification time, which the file system keeps to its timestamp tick).
struct FileState {
  bool exists = false;
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t modified_ns = 0;
  bool operator==(const FileState&) const = default;
};

class WatchedFile {
 public:
  explicit WatchedFile(std::string path);
  /// Closes every descriptor it opened.
  ~WatchedFile();
  WatchedFile(const WatchedFile&) = delete;
  WatchedFile& operator=(const WatchedFile&) = delete;

  /// The file as it is now; `exists` false when there is none at the path. Thread-safe.
  FileState state();

 private:
  FileState reopen();

  const std::string path_;
  std::atomic<int> descriptor_{-1};
  std::mutex reopening_;
  /// Descriptors of files since deleted or replaced: closed only at destruction, because another
  /// thread may still be reading one (closing it could hand its number to another file). One is
  /// added each time the file is replaced.
  std::vector<int> retired_;
};

}  // namespace cppapp::store
