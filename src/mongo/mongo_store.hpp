// The MongoDB store (built into cppapp-mongo.so; the binary reaches it through
// store/mongo_module.hpp, the unit tests link it directly).
#pragma once

#include <memory>
#include <string>

#include "store/store.hpp"

namespace cppapp::store {

/// A store over a libmongoc client pool. Does no network I/O (start-up never waits for the
/// database). Throws StoreError(failed) for a URI libmongoc rejects.
std::unique_ptr<Store> open_mongo_store(const MongoOptions& options);

/// The URI with cppapp's defaults added where the user set nothing: appname=cppapp,
/// serverSelectionTimeoutMS, connectTimeoutMS and socketTimeoutMS = timeout, retryWrites=true,
/// w=majority when a replicaSet is named, and the database path "nodeapp" when none is given
/// (the collection is "entries"). Throws StoreError(failed) for a URI libmongoc rejects.
std::string effective_mongo_uri(const MongoOptions& options);

}  // namespace cppapp::store
