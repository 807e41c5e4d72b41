#include "http/static_files.hpp"

#include "http/error_page.hpp"
#include "http/header_tokens.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "http/etag.hpp"
#include "http/fresh.hpp"
#include "http/http_date.hpp"
#include "http/mime_types.hpp"
#include "http/node_headers.hpp"
#include "http/range.hpp"

namespace cppapp::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_latin1_as_utf8(std::string& out, unsigned char byte) {
  if (byte < 0x80) {
    out.push_back(static_cast<char>(byte));
  } else {
    out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
    out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
  }
}

// decodeURIComponent over the target as Node sees it: raw bytes are Latin-1 characters (so a raw
// 0xE9 becomes "é", UTF-8 C3 A9, on disk), %XX sequences must form valid UTF-8 (no overlong
// forms, no surrogates, nothing above U+10FFFF). nullopt where JS throws URIError.
std::optional<std::string> decode_uri_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  const auto byte_at = [&](std::size_t k) -> int {
    if (k + 2 >= text.size() || text[k] != '%') return -1;
    const int hi = hex_value(text[k + 1]);
    const int lo = hex_value(text[k + 2]);
    return (hi < 0 || lo < 0) ? -1 : hi * 16 + lo;
  };
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c != '%') {
      append_latin1_as_utf8(out, c);
      ++i;
      continue;
    }
    const int first = byte_at(i);
    if (first < 0) return std::nullopt;
    i += 3;
    if (first < 0x80) {
      out.push_back(static_cast<char>(first));
      continue;
    }
    int continuation_count;
    std::uint32_t code_point;
    std::uint32_t minimum;
    if ((first & 0xE0) == 0xC0) {
      continuation_count = 1, code_point = first & 0x1F, minimum = 0x80;
    } else if ((first & 0xF0) == 0xE0) {
      continuation_count = 2, code_point = first & 0x0F, minimum = 0x800;
    } else if ((first & 0xF8) == 0xF0) {
      continuation_count = 3, code_point = first & 0x07, minimum = 0x10000;
    } else {
      return std::nullopt;
    }
    std::string sequence(1, static_cast<char>(first));
    for (int n = 0; n < continuation_count; ++n) {
      const int next = byte_at(i);
      if (next < 0 || (next & 0xC0) != 0x80) return std::nullopt;
      code_point = (code_point << 6) | static_cast<std::uint32_t>(next & 0x3F);
      sequence.push_back(static_cast<char>(next));
      i += 3;
    }
    if (code_point < minimum || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    out += sequence;
  }
  return out;
}

// Node's path.posix.normalize.
std::string normalize(std::string_view path) {
  if (path.empty()) return ".";
  const bool absolute = path.front() == '/';
  const bool trailing_separator = path.back() == '/';
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view segment = path.substr(start, slash - start);
    if (segment.empty() || segment == ".") {
      // skipped
    } else if (segment == "..") {
      if (!segments.empty() && segments.back() != "..") {
        segments.pop_back();
      } else if (!absolute) {
        segments.push_back(segment);
      }
    } else {
      segments.push_back(segment);
    }
    start = slash + 1;
  }
  std::string out;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i) out += '/';
    out += segments[i];
  }
  if (out.empty()) {
    if (absolute) return "/";
    return trailing_separator ? "./" : ".";
  }
  if (trailing_separator) out += '/';
  return absolute ? "/" + out : out;
}

// path.join(a, b) for non-empty a.
std::string join(std::string_view a, std::string_view b) {
  if (b.empty()) return normalize(a);
  return normalize(std::string(a) + "/" + std::string(b));
}

// send's UP_PATH_REGEXP: /(?:^|[\\/])\.\.(?:[\\/]|$)/
bool has_up_path_segment(std::string_view path) {
  for (std::size_t pos = path.find(".."); pos != std::string_view::npos;
       pos = path.find("..", pos + 1)) {
    const bool starts = pos == 0 || path[pos - 1] == '/' || path[pos - 1] == '\\';
    const std::size_t after = pos + 2;
    const bool ends = after == path.size() || path[after] == '/' || path[after] == '\\';
    if (starts && ends) return true;
  }
  return false;
}

bool contains_dot_file(std::string_view relative) {
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t slash = relative.find('/', start);
    if (slash == std::string_view::npos) slash = relative.size();
    const std::string_view part = relative.substr(start, slash - start);
    if (part.size() > 1 && part.front() == '.') return true;
    start = slash + 1;
  }
  return false;
}

std::string collapse_leading_slashes(std::string_view path) {
  std::size_t i = 0;
  while (i < path.size() && path[i] == '/') ++i;
  if (i <= 1) return std::string(path);
  std::string collapsed(1, '/');
  collapsed.append(path.substr(i));
  return collapsed;
}

std::string_view status_message(unsigned status) {
  switch (status) {
    case 412:
      return "Precondition Failed";
    case 416:
      return "Range Not Satisfiable";
    case 503:
      return "Service Unavailable";
    default:
      return "Internal Server Error";
  }
}

// What Express's finalhandler writes for next(err) in production: the headers already set stay,
// content headers go, the error's own headers (Content-Range for 416) are added.
Response final_handler_error(unsigned status, Headers headers,
                             std::optional<std::string> content_range = std::nullopt) {
  Response response;
  response.status = status;
  headers.erase("Content-Encoding");
  headers.erase("Content-Language");
  headers.erase("Content-Range");
  if (content_range) headers.add("Content-Range", *content_range);
  set_header_in_place(headers, "Content-Security-Policy", "default-src 'none'");
  set_header_in_place(headers, "X-Content-Type-Options", "nosniff");
  set_header_in_place(headers, "Content-Type", "text/html; charset=utf-8");
  response.headers = std::move(headers);
  response.body = html_document("Error", escape_html_express(status_message(status)));
  return response;
}

Response directory_redirect(std::string_view original_url_path, std::string_view search) {
  const std::string location = encode_url(
      collapse_leading_slashes(std::string(original_url_path) + "/") + std::string(search));
  Response response;
  response.status = 301;
  response.headers.add("Content-Type", "text/html; charset=UTF-8");
  response.headers.add("Content-Security-Policy", "default-src 'none'");
  response.headers.add("X-Content-Type-Options", "nosniff");
  response.headers.add("Location", location);
  response.body = html_document("Redirecting", "Redirecting to " + escape_html_express(location));
  return response;
}

// Node's fs.Stats#mtime: Math.round(sec * 1e3 + nsec / 1e6) milliseconds.
std::int64_t mtime_ms(const struct stat& info) {
  const double ms = static_cast<double>(info.st_mtim.tv_sec) * 1e3 +
                    static_cast<double>(info.st_mtim.tv_nsec) / 1e6;
  return static_cast<std::int64_t>(std::floor(ms + 0.5));
}

// Outcome of looking a path up the way send's fs.stat callbacks classify it.
enum class Lookup { file, directory, not_found, server_error };

Lookup stat_path(const std::string& path, struct stat& info) {
  if (::stat(path.c_str(), &info) != 0) {
    return (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG) ? Lookup::not_found
                                                                          : Lookup::server_error;
  }
  return S_ISDIR(info.st_mode) ? Lookup::directory : Lookup::file;
}

// Our addition to send: the fully resolved path (all symlinks followed) must stay inside the
// resolved root.
bool resolves_inside(const std::string& path, const std::string& real_root) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return false;
  const std::string_view real(resolved);
  if (real == real_root) return true;
  const std::string_view prefix = real_root == "/" ? std::string_view("") : real_root;
  return real.size() > prefix.size() && real.substr(0, prefix.size()) == prefix &&
         real[prefix.size()] == '/';
}

bool same_file_state(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mode == b.st_mode && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ctim.tv_sec == b.st_ctim.tv_sec &&
         a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

bool header_is_set(const Headers& headers, std::string_view name) {
  const auto value = node_header(headers, name);
  return value && !value->empty();
}

// /^ *bytes=/
bool is_bytes_range(std::string_view range) {
  while (!range.empty() && range.front() == ' ') range.remove_prefix(1);
  return range.starts_with("bytes=");
}

// send.prototype.send for a found file.
Response send_file(const Request& request, const std::string& path, const struct stat& info,
                   bool known_readable) {
  const auto size = static_cast<std::uint64_t>(info.st_size);
  const std::int64_t modified_ms = mtime_ms(info);
  Response response;
  Headers& headers = response.headers;
  headers.add("Accept-Ranges", "bytes");
  headers.add("Cache-Control", "public, max-age=0");
  headers.add(
      "Last-Modified",
      http_date(std::chrono::system_clock::time_point(std::chrono::milliseconds(modified_ms))));
  headers.add("ETag", entity_tag_for_file(size, modified_ms));
  headers.add("Content-Type", content_type_for_path(path));
  const std::string etag(*headers.get("ETag"));
  const std::string last_modified(*headers.get("Last-Modified"));

  const bool conditional = header_is_set(request.headers, "If-Match") ||
                           header_is_set(request.headers, "If-Unmodified-Since") ||
                           header_is_set(request.headers, "If-None-Match") ||
                           header_is_set(request.headers, "If-Modified-Since");
  if (conditional) {
    bool precondition_failed = false;
    const auto if_match = node_header(request.headers, "If-Match");
    if (if_match && !if_match->empty()) {
      if (*if_match != "*") {
        precondition_failed = true;
        for (std::string_view candidate : split_token_list(*if_match, false)) {
          if (candidate == etag || "W/" + std::string(candidate) == etag ||
              std::string(candidate) == "W/" + etag) {
            precondition_failed = false;
            break;
          }
        }
      }
    } else if (const auto unmodified_since = node_header(request.headers, "If-Unmodified-Since")) {
      const auto since = parse_http_date_ms(*unmodified_since);
      if (since) {
        const auto last = parse_http_date_ms(last_modified);
        precondition_failed = !last || *last > *since;
      }
    }
    if (precondition_failed) return final_handler_error(412, std::move(headers));
    if (is_fresh(request.headers, headers)) {
      // notModified: content headers removed, no body.
      response.not_modified_type = headers.value_or_empty("Content-Type");
      for (auto name : {"Content-Encoding", "Content-Language", "Content-Length", "Content-Range",
                        "Content-Type"}) {
        headers.erase(name);
      }
      response.status = 304;
      return response;
    }
  }

  std::uint64_t offset = 0;
  std::uint64_t length = size;
  const auto range_header = node_header(request.headers, "Range");
  if (range_header && is_bytes_range(*range_header)) {
    RangeResult ranges = parse_range(size, *range_header);
    // If-Range: an entity tag must contain ours; a date must not be older than Last-Modified.
    if (const auto if_range = node_header(request.headers, "If-Range");
        if_range && !if_range->empty()) {
      bool range_fresh;
      if (if_range->find('"') != std::string::npos) {
        range_fresh = if_range->find(etag) != std::string::npos;
      } else {
        const auto last = parse_http_date_ms(last_modified);
        const auto since = parse_http_date_ms(*if_range);
        range_fresh = last && since && *last <= *since;
      }
      if (!range_fresh) ranges.kind = RangeResult::malformed;
    }
    if (ranges.kind == RangeResult::unsatisfiable) {
      return final_handler_error(416, std::move(headers), "bytes */" + std::to_string(size));
    }
    // Several ranges (after combining) are answered with the whole file, as send does.
    if (ranges.kind == RangeResult::ok && ranges.ranges.size() == 1) {
      const ByteRange range = ranges.ranges.front();
      response.status = 206;
      headers.add("Content-Range", "bytes " + std::to_string(range.start) + "-" +
                                       std::to_string(range.end) + "/" + std::to_string(size));
      offset = range.start;
      length = range.end - range.start + 1;
    }
  }

  if (request.method != "HEAD" && !known_readable) {
    // fs.createReadStream failing to open (e.g. EACCES) ends in finalhandler's 500.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      // Out of descriptors is the server's passing state, not the file's: 503, try again.
      const bool exhausted = errno == EMFILE || errno == ENFILE || errno == ENOMEM;
      if (!exhausted) return final_handler_error(500, std::move(headers));
      for (auto name : {"ETag", "Last-Modified", "Accept-Ranges"}) headers.erase(name);
      headers.set("Cache-Control", "no-store");
      headers.set("Retry-After", "1");
      return final_handler_error(503, std::move(headers));
    }
    ::close(fd);
  }
  response.file = Response::FileBody{path, offset, length};
  return response;
}

}  // namespace

StaticLookupCache::~StaticLookupCache() {
  clear();
}

void StaticLookupCache::clear() {
  for (auto& [key, entry] : entries_) ::close(entry.fd);
  entries_.clear();
}

void StaticLookupCache::erase(std::unordered_map<std::string, Entry>::iterator entry) {
  ::close(entry->second.fd);
  entries_.erase(entry);
}

std::optional<StaticLookupCache::Found> StaticLookupCache::find(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key);
  if (found == entries_.end()) return std::nullopt;
  Entry& entry = found->second;
  struct stat now {};
  // Expired, gone (no link left: deleted or replaced by a rename) or changed: look again.
  if (Clock::now() - entry.checked > validity_ || ::fstat(entry.fd, &now) != 0 ||
      now.st_nlink == 0 || !same_file_state(now, entry.found.info)) {
    erase(found);
    return std::nullopt;
  }
  return Found{entry.found.path, now};
}

void StaticLookupCache::insert(const std::string& key, const Found& found) {
  if (validity_.count() <= 0) return;
  const int fd = ::open(found.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  std::lock_guard lock(mutex_);
  if (auto existing = entries_.find(key); existing != entries_.end()) erase(existing);
  // Many distinct paths in one moment (a crawler): start over rather than hold more files.
  if (entries_.size() >= max_entries_) clear();
  entries_.emplace(key, Entry{found, fd, Clock::now()});
}

std::optional<Response> serve_static(const Request& request, std::string_view relative_target,
                                     std::string_view original_url_path,
                                     const StaticOptions& options) {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;

  const std::size_t question = relative_target.find('?');
  std::string_view raw_path = relative_target.substr(0, question);
  const std::string_view search =
      question == std::string_view::npos ? std::string_view{} : relative_target.substr(question);
  // Make the redirect happen at the mount itself ("/app1/public" -> "/app1/public/").
  if (raw_path == "/" && !original_url_path.ends_with("/")) raw_path = "";

  // The same raw path under the same root always leads to the same file: reuse what was found.
  const std::string lookup_key(raw_path);
  if (options.lookups != nullptr && !raw_path.empty()) {
    if (auto found = options.lookups->find(lookup_key))
      return send_file(request, found->path, found->info, true);
  }

  const auto decoded = decode_uri_component(raw_path);
  if (!decoded) return std::nullopt;                                  // 400
  if (decoded->find('\0') != std::string::npos) return std::nullopt;  // 400

  std::string relative = decoded->empty() ? std::string() : normalize("./" + *decoded);
  if (has_up_path_segment(relative)) return std::nullopt;  // 403
  // serve-static passes no dotfiles option, so send takes its legacy branch: a dot segment only
  // hides the path when the last segment is the dotfile ("/.hidden" is ignored, while
  // "/.well-known/x.txt" is served).
  if (contains_dot_file(relative)) {
    const std::size_t slash = relative.rfind('/');
    const std::string_view last = slash == std::string::npos
                                      ? std::string_view(relative)
                                      : std::string_view(relative).substr(slash + 1);
    if (!last.empty() && last.front() == '.') return std::nullopt;  // ignore -> 404
  }

  std::error_code error;
  const std::filesystem::path absolute_root = std::filesystem::absolute(options.root, error);
  if (error) return std::nullopt;
  const std::string root = normalize(absolute_root.string());
  char real_root_buffer[PATH_MAX];
  if (::realpath(root.c_str(), real_root_buffer) == nullptr) return std::nullopt;
  const std::string real_root(real_root_buffer);

  std::string path = join(root, relative);
  struct stat info {};
  if (raw_path.ends_with("/")) {  // sendIndex
    path = join(path, "index.html");
    const Lookup lookup = stat_path(path, info);
    if (lookup == Lookup::not_found || lookup == Lookup::directory) return std::nullopt;
    if (lookup == Lookup::server_error) return final_handler_error(500, Headers{});
  } else {  // sendFile
    const Lookup lookup = stat_path(path, info);
    if (lookup == Lookup::not_found) return std::nullopt;
    if (lookup == Lookup::server_error) return final_handler_error(500, Headers{});
    if (lookup == Lookup::directory) {
      if (!resolves_inside(path, real_root)) return std::nullopt;
      return directory_redirect(original_url_path, search);
    }
  }
  if (!resolves_inside(path, real_root)) return std::nullopt;
  Response response = send_file(request, path, info, false);
  // Kept once a GET has shown the file opens (HEAD, 304, 412 and 416 answers do not open it).
  if (options.lookups != nullptr && !raw_path.empty() && request.method == "GET" && response.file) {
    options.lookups->insert(lookup_key, {path, info});
  }
  return response;
}

}  // namespace cppapp::http
