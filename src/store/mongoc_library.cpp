#include "store/mongoc_library.hpp"

#include <mongoc/mongoc.h>
#include <unistd.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include "log/logger.hpp"

namespace cppapp::store {
namespace {

// libmongoc keeps its statistics counters (read only by the mongoc-stat tool) in a shared memory
// file, /dev/shm/mongoc-<pid>, made by the ELF constructor of Debian's build (automatic init,
// before main) and removed by mongoc_cleanup at exit. A process that ends without exit (SIGKILL,
// the OOM killer, a crash) leaves its file behind, and a later process given the same pid finds
// the name taken and prints "Falling back to malloc for counters" to stderr before cppapp has a
// log: a stray line in front of a one-line start-up error. Its MONGOC_DISABLE_SHM cannot be set
// in time (libc's own constructor resets the environment after .preinit_array), so the name is
// managed instead: a file with this pid before libmongoc starts is a dead process's, and once
// libmongoc has mapped its file the name is removed, so a kill leaves nothing to collide with.
struct CounterFile {
  char path[40];
  bool free_for_libmongoc;
};
CounterFile counter_file;

void clear_a_dead_process_counter_file(int, char**, char**) {
  // Before libc's constructor: plain system calls and no allocation.
  char digits[16];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, ::getpid());
  std::memcpy(counter_file.path, "/dev/shm/mongoc-", 16);
  std::memcpy(counter_file.path + 16, digits, static_cast<std::size_t>(end - digits));
  counter_file.path[16 + (end - digits)] = '\0';
  // A file that could not be removed (another user's) is not the one libmongoc will map.
  counter_file.free_for_libmongoc = ::unlink(counter_file.path) == 0 || errno == ENOENT;
}

[[gnu::used, gnu::section(".preinit_array")]] void (*const before_libmongoc_starts)(
    int, char**, char**) = clear_a_dead_process_counter_file;

// The executable's constructors run after every shared library's, so libmongoc's file is mapped.
[[gnu::constructor]] void forget_the_counter_file_name() {
  if (counter_file.free_for_libmongoc) ::unlink(counter_file.path);
}

// libmongoc prints to stderr by default; its warnings belong in our log like everything else.
void forward_to_log(mongoc_log_level_t level, const char* domain, const char* message, void*) {
  switch (level) {
    case MONGOC_LOG_LEVEL_ERROR:
    case MONGOC_LOG_LEVEL_CRITICAL:
      log::error("libmongoc {}: {}", domain, message);
      break;
    case MONGOC_LOG_LEVEL_WARNING:
      log::warn("libmongoc {}: {}", domain, message);
      break;
    case MONGOC_LOG_LEVEL_MESSAGE:
    case MONGOC_LOG_LEVEL_INFO:
      log::debug("libmongoc {}: {}", domain, message);
      break;
    default:
      break;  // debug and trace output would flood the log
  }
}

struct MongocLibrary {
  MongocLibrary() {
    mongoc_log_set_handler(forward_to_log, nullptr);
    mongoc_init();
  }
  ~MongocLibrary() {
    mongoc_cleanup();
    mongoc_log_set_handler(nullptr, nullptr);  // spdlog may already be gone at exit
  }
  MongocLibrary(const MongocLibrary&) = delete;
  MongocLibrary& operator=(const MongocLibrary&) = delete;
};

}  // namespace

void ensure_mongoc_initialized() {
  static MongocLibrary library;
}

}  // namespace cppapp::store
