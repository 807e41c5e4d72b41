// The MongoDB store lives in a module, cppapp-mongo.so, that the binary loads only when MONGO_URL
// is set. libmongoc and what it brings with it (OpenSSL's libcrypto and libssl, the SASL plugins,
// ICU, snappy, zstd: about 6 MiB of resident memory) stay out of a process using the embedded
// database.
#pragma once

#include <memory>

#include "store/store.hpp"

/// The module's entry points, found with dlsym by these (C) names.
extern "C" {
/// A hash of the headers binary and module share (store.hpp, this file, log/event.hpp), made by
/// CMake: a module from another build, whose Store may be laid out differently, is refused.
const char* cppapp_mongo_interface();
/// A store over a libmongoc client pool, as open_mongo_store (src/mongo/mongo_store.hpp) makes it;
/// the caller owns it. A plain pointer: a C entry point returns no C++ class (clang warns).
cppapp::store::Store* cppapp_open_mongo_store(const cppapp::store::MongoOptions& options);
}

namespace cppapp::store {

/// Call before any thread starts when MongoDB is configured: libmongoc's constructor, run by
/// the module's dlopen, would otherwise keep its statistics counters in /dev/shm/mongoc-<pid>, a
/// file that outlives a killed process and that a later process given the same pid finds taken
/// (libmongoc then prints a warning to stderr). Only the mongoc-stat tool reads those counters;
/// in process memory they cost nothing. It sets MONGOC_DISABLE_SHM (an operator's own value
/// wins): setenv is not safe while other threads may read the environment.
void keep_mongoc_counters_in_memory();

/// Loads the module (once per process) and opens a store with it. Throws StoreError(failed)
/// when the module cannot be loaded, naming the paths tried, or for a URI libmongoc rejects.
std::unique_ptr<Store> load_mongo_store(const MongoOptions& options);

}  // namespace cppapp::store
