// The MongoDB store lives in a module, cppapp-mongo.so, that the binary loads only when MONGO_URL
// is set. libmongoc and what it brings with it (OpenSSL initialised, the SASL plugins, ICU,
// snappy, zstd: about 6 MiB of resident memory) stay out of a process using the embedded database.
#pragma once

#include <memory>

#include "store/store.hpp"

/// The module's entry point, found with dlsym by this (C) name: a store over a libmongoc client
/// pool, as open_mongo_store (src/mongo/mongo_store.hpp) makes it.
extern "C" std::unique_ptr<cppapp::store::Store> cppapp_open_mongo_store(
    const cppapp::store::MongoOptions& options);

namespace cppapp::store {

/// Loads the module (once per process) and opens a store with it. Throws StoreError(failed)
/// when the module cannot be loaded, naming the paths tried, or for a URI libmongoc rejects.
std::unique_ptr<Store> load_mongo_store(const MongoOptions& options);

}  // namespace cppapp::store
