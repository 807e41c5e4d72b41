#include "app/data_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace cppapp::app {

namespace fs = std::filesystem;

namespace {

/// Why `directory` cannot be written to, or nothing. Creates it (and its parents) if missing.
std::optional<std::string> unwritable(const fs::path& directory) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return "cannot be created: " + error.message();
  if (!fs::is_directory(directory, error)) return "is not a directory";
  // A real write, not access(2): a read-only mount or a full quota shows only when trying.
  const fs::path probe = directory / (".write-test-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::string("is not writable: ") + std::strerror(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return std::nullopt;
}

}  // namespace

std::optional<std::string> prepare_data_dir(const Config& config) {
  std::vector<fs::path> needed;
  if (config.mongo_url.empty()) needed.push_back(config.data_dir);  // guestbook.sqlite3
  if (!config.logstash_address.empty()) needed.push_back(config.data_dir / "log-spool");
  for (const fs::path& directory : needed) {
    if (auto reason = unwritable(directory)) {
      return "DATA_DIR (--data-dir) " + directory.string() + " " + *reason + " (uid " +
             std::to_string(::getuid()) +
             "); point DATA_DIR at a directory this user can write, or mount a writable volume or "
             "tmpfs there";
    }
  }
  return std::nullopt;
}

}  // namespace cppapp::app
