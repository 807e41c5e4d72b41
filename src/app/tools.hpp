// Subcommands for users and tests: render a template, minify a page, check a running server.
#pragma once

namespace cppapp::app {

/// Runs `cppapp <tool> …` when argv[1] names a tool; returns its exit code, or -1 when argv[1]
/// is not a tool (the caller then serves).
///   render TEMPLATE [--views DIR] [--context JSON|@FILE]   prints exactly the rendered bytes
///   minify                                                  stdin → stdout, the seed's options
///   urlencoded [--depth N] [--parameter-limit N]            stdin → the parsed form as JSON
///   healthcheck [--host H] [--port P]                      GET /healthz, exit 0 when 200
int run_tool(int argc, const char* const* argv);

}  // namespace cppapp::app
