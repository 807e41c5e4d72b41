// DATA_DIR at start-up: the directories cppapp will write to exist and are writable, or start-up
// stops with one line that names the path and the setting (exit code 2), instead of an uncaught
// filesystem error later.
#pragma once

#include <optional>
#include <string>

#include "app/config.hpp"

namespace cppapp::app {

/// Creates DATA_DIR and, when Logstash shipping is on, its log-spool/ (the embedded database and
/// the spool are what write there), and proves each writable by creating and removing a file.
/// Returns the one-line reason when one is not; nothing when all is well or nothing is needed
/// (MongoDB without Logstash writes nothing to DATA_DIR).
std::optional<std::string> prepare_data_dir(const Config& config);

}  // namespace cppapp::app
