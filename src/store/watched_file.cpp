#include "store/watched_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cppapp::store {

namespace {

FileState state_of(const struct stat& info) {
  return {true, static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
          static_cast<std::uint64_t>(info.st_size),
          static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

}  // namespace

WatchedFile::WatchedFile(std::string path) : path_(std::move(path)) {}

WatchedFile::~WatchedFile() {
  if (const int descriptor = descriptor_.load(); descriptor >= 0) ::close(descriptor);
  for (const int descriptor : retired_) ::close(descriptor);
}

FileState WatchedFile::state() {
  struct stat info {};
  const int descriptor = descriptor_.load(std::memory_order_acquire);
  // Still linked: the file at the path (a deleted or replaced one has no links left).
  if (descriptor >= 0 && ::fstat(descriptor, &info) == 0 && info.st_nlink > 0) {
    return state_of(info);
  }
  return reopen();
}

FileState WatchedFile::reopen() {
  std::lock_guard lock(reopening_);
  // O_PATH: for fstat only; it neither reads the file nor takes a lock SQLite would notice.
  const int fresh = ::open(path_.c_str(), O_PATH | O_CLOEXEC);
  struct stat info {};
  if (fresh < 0) return {};
  if (::fstat(fresh, &info) != 0) {
    ::close(fresh);
    return {};
  }
  if (const int old = descriptor_.exchange(fresh, std::memory_order_acq_rel); old >= 0) {
    retired_.push_back(old);
  }
  return state_of(info);
}

}  // namespace cppapp::store
