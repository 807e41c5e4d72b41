#include "store/object_id.hpp"

#include <bson/bson.h>

namespace cppapp::store {

std::string new_object_id() {
  bson_oid_t oid;
  bson_oid_init(&oid, nullptr);  // the default context is thread-safe (atomic counter)
  char hex[25];
  bson_oid_to_string(&oid, hex);
  return std::string(hex, 24);
}

}  // namespace cppapp::store
