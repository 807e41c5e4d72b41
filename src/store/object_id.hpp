// Fresh entry ids, shared by both stores so that ids look and sort the same everywhere.
#pragma once

#include <string>

namespace cppapp::store {

/// A new BSON ObjectId (libbson's bson_oid_init) as 24 lower-case hex chars: a big-endian
/// seconds timestamp then a per-process random part and a counter, so ids sort by creation time.
std::string new_object_id();

}  // namespace cppapp::store
