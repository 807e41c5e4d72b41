// prefix + n for test data ("t7", "n249"), built by appending: GCC 12 warns falsely
// (-Wrestrict, release builds) about "literal" + std::string temporaries.
#pragma once

#include <string>

inline std::string numbered(const char* prefix, long n) {
  std::string text(prefix);
  text += std::to_string(n);
  return text;
}
