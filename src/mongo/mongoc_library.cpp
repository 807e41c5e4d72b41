#include "mongo/mongoc_library.hpp"

#include <mongoc/mongoc.h>
#include "log/logger.hpp"

namespace cppapp::store {
namespace {

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
