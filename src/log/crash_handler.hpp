// The last word of a dying process: on a fatal signal, a record with a backtrace goes to the
// console and to the spool (shipped by the next start), then the signal takes its course.
#pragma once

#include <cstdint>
#include <filesystem>

#include "log/event.hpp"

namespace cppapp::log {

/// Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT. Everything the handler
/// needs is prepared here, since a signal handler may not allocate. An empty spool_dir (no
/// Logstash configured) writes the record to the console only.
void install_crash_handler(const std::filesystem::path& spool_dir, const Identity& identity,
                           std::uint64_t boot_id);

}  // namespace cppapp::log
