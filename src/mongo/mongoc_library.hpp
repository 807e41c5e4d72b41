// libmongoc's process-wide set-up: mongoc_init once, its log routed to cppapp's log.
#pragma once

namespace cppapp::store {

/// Initialises libmongoc on first call (thread-safe); mongoc_cleanup runs at process exit.
void ensure_mongoc_initialized();

}  // namespace cppapp::store
