// Static files with the behaviour of Express's serve-static 1.16.2 (send 0.19.0) under the seed's
// options, minus one thing on purpose: a path never leads outside the root, not even through a
// symbolic link (send follows links anywhere; here a link whose target resolves outside the root
// is treated as missing, and so falls through to the app's 404).
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/message.hpp"

namespace cppapp::http {

/// What serve_static found for a request path (the file, that it resolves inside the root
/// through any symbolic links, that it opens), reused for `validity` as nginx's open_file_cache
/// does. The file is kept open, and each use checks it with fstat() (no path walk): a file
/// changed in place, deleted or replaced by a new one is looked up again at once; only a symbolic
/// link re-pointed elsewhere waits up to `validity`. Holds at most `max_entries` descriptors.
/// Thread-safe.
class StaticLookupCache {
 public:
  struct Found {
    std::string path;
    struct stat info {};
  };
  explicit StaticLookupCache(std::chrono::milliseconds validity, std::size_t max_entries = 128)
      : validity_(validity), max_entries_(max_entries) {}
  ~StaticLookupCache();
  StaticLookupCache(const StaticLookupCache&) = delete;
  StaticLookupCache& operator=(const StaticLookupCache&) = delete;

  /// The file found earlier for `key`, with its current stat, if still valid and unchanged.
  std::optional<Found> find(const std::string& key);
  /// Keeps `found` (opening it again; nothing is kept when that fails).
  void insert(const std::string& key, const Found& found);

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    Found found;
    int fd = -1;
    Clock::time_point checked;
  };
  void erase(std::unordered_map<std::string, Entry>::iterator entry);
  /// Closes every kept file and forgets them (the caller holds the lock, or is the destructor).
  void clear();

  const std::chrono::milliseconds validity_;
  const std::size_t max_entries_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

struct StaticOptions {
  std::filesystem::path root;
  /// Production: file lookups reused for a moment (none: every request looks at the disk).
  StaticLookupCache* lookups = nullptr;
};

/// serve-static (fallthrough, send's default dotfile rule: a path whose last segment starts with
/// "." is ignored, dot directories are not; index.html, redirect, ETag, Last-Modified,
/// Accept-Ranges, Cache-Control "public, max-age=0") for `relative_target`: the request target
/// below the mount, still percent-encoded, starting with "/" (e.g. "/css/site.css?v=2").
/// `original_url_path` is the whole requested path (e.g. "/app1/public/css"), used for the
/// directory redirect. nullopt whenever serve-static calls next() without an error (method not
/// GET/HEAD, not found, bad encoding, NUL, "..", a dotfile, outside the root). Otherwise the
/// complete response: 200/206 with `file` set (not read; HEAD too, the writer omits the body),
/// 304, 301 to the directory with a slash, and the error pages Express's final handler writes
/// (production form) for 412, 416 and 500. No Content-Length field: the writer derives it.
std::optional<Response> serve_static(const Request& request, std::string_view relative_target,
                                     std::string_view original_url_path,
                                     const StaticOptions& options);

}  // namespace cppapp::http
