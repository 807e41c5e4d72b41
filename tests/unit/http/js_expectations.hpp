#pragma once
// The answers the JavaScript originals give, as tests/conformance/from_js/expectations.js
// writes them to tests/data/http/<name>.json (the conformance run fails when they are stale), so
// the unit tests assert exactly what the pinned npm packages compute.
#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace cppapp::http::testing {

/// tests/data/http/<name>.json, parsed; throws when it is missing or not JSON.
inline boost::json::object js_expectations(const std::string& name) {
  const std::string path = std::string(CPPAPP_TEST_DATA_DIR) + "/http/" + name + ".json";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str()).as_object();
}

/// A case's string member.
inline std::string text(const boost::json::value& c, const char* key) {
  return std::string(c.at(key).as_string());
}

}  // namespace cppapp::http::testing
