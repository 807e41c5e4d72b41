// What this binary is: the project version (CMakeLists.txt) and the git revision it was built
// from (cmake/revision.cmake), for --version, the man page and cppapp_build_info.
#pragma once

#include <string>
#include <string_view>

namespace cppapp::app {

std::string_view version();  ///< "0.1.0"
std::string_view
revision();  ///< 12 hex digits, "-modified" when built from a changed tree, or "unknown"
std::string version_line();  ///< "cppapp 0.1.0 (revision …)": what --version prints

}  // namespace cppapp::app
