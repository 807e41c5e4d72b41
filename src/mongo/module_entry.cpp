// What cppapp-mongo.so offers the binary (src/store/mongo_module.hpp loads it).
#include "mongo/mongo_store.hpp"
#include "store/mongo_module.hpp"

extern "C" const char* cppapp_mongo_interface() {
  return CPPAPP_MONGO_INTERFACE;
}

extern "C" cppapp::store::Store* cppapp_open_mongo_store(
    const cppapp::store::MongoOptions& options) {
  return cppapp::store::open_mongo_store(options).release();
}
