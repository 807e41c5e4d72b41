// The last word of a dying process: on a fatal signal, a record with a backtrace goes to the
// console and to the spool (shipped by the next start), then the signal takes its course.
//
// The handler may only do async-signal-safe work, so the record's "error.stack_trace" holds the
// frames as Boost.Stacktrace's safe_dump_to captured them, each written module+offset
// ("cppapp+0x1b2c3", "libc.so.6+0x3c050"; a raw address when outside every module), with the
// executable's "process.build_id". The next start, before shipping, rewrites that stack one
// frame a line, with the function and source line where this binary's own symbols tell them
// (make_crash_records_readable). A stripped binary has none: resolve its offsets with the debug
// file kept from its build (docs/architecture.md, "Crash records").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "log/event.hpp"

namespace cppapp::log {

/// Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT. Everything the handler
/// needs is prepared here, since a signal handler may not allocate. An empty spool_dir (no
/// Logstash configured) writes the record to the console only.
void install_crash_handler(const std::filesystem::path& spool_dir, const Identity& identity,
                           std::uint64_t boot_id);

/// Notes the modules loaded since install_crash_handler (a dlopen'd one: cppapp-mongo.so and its
/// libraries), so their frames are written module+offset too.
void note_loaded_modules();
/// This executable's GNU build id in hex, as crash records carry it ("process.build_id").
std::string executable_build_id();

/// A crash record's stack as the handler wrote it, one frame a line: "#0 cppapp+0x1b2c3 in
/// function at file:line". Frames of this executable are resolved only when `build_id` is this
/// binary's (another build's offsets would name the wrong functions); others stay as written.
std::string readable_stack(std::string_view stack, std::string_view build_id);

/// Rewrites the crash records a dead process left in spool_dir (first-crash-*.ndjson) with
/// readable_stack; records already rewritten are left alone. Run before the shipper starts.
void make_crash_records_readable(const std::filesystem::path& spool_dir);

}  // namespace cppapp::log
