#include "store/store.hpp"

#include <chrono>
#include <cstdio>

namespace cppapp::store {

StoreError::StoreError(Kind kind, const std::string& what) : std::runtime_error(what), kind(kind) {}

bool is_valid_id(std::string_view id) {
  if (id.size() != 24) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace cppapp::store
