#include "store/mongo_module.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "log/crash_handler.hpp"

namespace cppapp::store {
namespace {

namespace fs = std::filesystem;

constexpr const char* kModuleName = "cppapp-mongo.so";

/// Installed: <prefix>/bin/cppapp and <prefix>/lib/cppapp/cppapp-mongo.so; in a build tree the
/// module sits next to the binary.
std::vector<fs::path> module_candidates() {
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path dir = exe.parent_path();
  return {dir.parent_path() / "lib" / "cppapp" / kModuleName, dir / kModuleName};
}

using OpenStore = decltype(&cppapp_open_mongo_store);

OpenStore load_entry_point() {
  std::string failures;  // why each place tried failed, "; "-separated
  const auto failed = [&failures](const std::string& why) {
    failures += (failures.empty() ? "" : "; ") + why;
  };
  for (const fs::path& path : module_candidates()) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      failed(path.string() + " does not exist");
      continue;
    }
    // Never closed: the store's code lives there until the process ends.
    void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
      failed(::dlerror());
      continue;
    }
    log::note_loaded_modules();  // a crash in there names cppapp-mongo.so+offset
    void* interface = ::dlsym(module, "cppapp_mongo_interface");
    void* entry = ::dlsym(module, "cppapp_open_mongo_store");
    if (interface == nullptr || entry == nullptr ||
        std::string_view(reinterpret_cast<decltype(&cppapp_mongo_interface)>(interface)()) !=
            CPPAPP_MONGO_INTERFACE) {
      failed(path.string() + " is from another build of cppapp (install both from the same build)");
      continue;
    }
    return reinterpret_cast<OpenStore>(entry);
  }
  if (failures.empty()) failures = "the binary's own path, /proc/self/exe, cannot be read";
  throw StoreError(StoreError::Kind::failed,
                   "MongoDB is configured (MONGO_URL) but its module cannot be loaded (" +
                       failures + "); it is installed with cppapp as lib/cppapp/" + kModuleName);
}

}  // namespace

void keep_mongoc_counters_in_memory() {
  ::setenv("MONGOC_DISABLE_SHM", "1", /*overwrite=*/0);
}

std::unique_ptr<Store> load_mongo_store(const MongoOptions& options) {
  static std::mutex loading;
  static OpenStore open_store = nullptr;
  {
    const std::lock_guard lock(loading);
    if (open_store == nullptr) open_store = load_entry_point();
  }
  return std::unique_ptr<Store>(open_store(options));
}

}  // namespace cppapp::store
