#include "app/version.hpp"

namespace cppapp::app {

std::string_view version() {
  return CPPAPP_VERSION;
}

std::string_view revision() {
  return
#include "cppapp_revision.inc"
      ;
}

std::string version_line() {
  return "cppapp " + std::string(version()) + " (revision " + std::string(revision()) + ")";
}

}  // namespace cppapp::app
