#include "log/spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace cppapp::log {

namespace fs = std::filesystem;

namespace {

/// "segment-00000000000000000042.ndjson" → 42. Files named "first-*" (a crash record, the resend
/// tail of a stopped process) are shipped before every segment.
std::optional<std::uint64_t> segment_number(const fs::path& path) {
  const std::string name = path.filename().string();
  std::uint64_t number = 0;
  if (std::sscanf(name.c_str(), "segment-%lu.ndjson", &number) == 1) return number;
  return std::nullopt;
}

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;  // ENOSPC, EFBIG (a file size limit), EIO…
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

/// The size of the file's whole lines: up to and including its last newline. A process that
/// died in the middle of a write (or, before this was fixed, a full disk) leaves a torn last
/// line; it is never shipped, and nothing is ever appended after it.
std::uint64_t whole_lines_size(const fs::path& path, std::uint64_t size) {
  std::ifstream in(path, std::ios::binary);
  constexpr std::uint64_t kStep = 64 * 1024;
  std::string block;
  std::uint64_t end = size;
  while (end > 0 && in) {
    const std::uint64_t start = end > kStep ? end - kStep : 0;
    block.resize(static_cast<std::size_t>(end - start));
    in.seekg(static_cast<std::streamoff>(start));
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    if (static_cast<std::size_t>(in.gcount()) != block.size()) return 0;
    const std::size_t newline = block.rfind('\n');
    if (newline != std::string::npos) return start + newline + 1;
    end = start;
  }
  return 0;
}

/// Whether the file behind `fd` was removed (its directory deleted or replaced): what is written
/// to it then can never be read back, so it must not count as spooled.
bool unlinked(int fd) {
  struct stat status {};
  return ::fstat(fd, &status) == 0 && status.st_nlink == 0;
}

std::uint64_t file_size_or_zero(const fs::path& path) {
  std::error_code error;
  const std::uint64_t size = fs::file_size(path, error);
  return error ? 0 : size;
}

/// A shipped segment that cannot be removed (a read-only or vanished directory) is left behind;
/// the next start ships it again (delivery is at-least-once anyway).
void remove_quietly(const fs::path& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
}

}  // namespace

Spool::Spool(fs::path directory, std::uint64_t max_bytes, std::uint64_t segment_bytes)
    : directory_(std::move(directory)), max_bytes_(max_bytes), segment_bytes_(segment_bytes) {
  // Nothing here throws: a directory that cannot be made or read (start-up checked it; it can
  // change later) leaves a spool that refuses appends and says why (last_error).
  std::error_code error;
  fs::create_directories(directory_, error);
  std::vector<std::pair<std::uint64_t, fs::path>> found;
  std::vector<fs::path> crash_records;
  for (const auto& entry : fs::directory_iterator(directory_, error)) {
    if (!entry.is_regular_file()) continue;
    if (auto number = segment_number(entry.path()))
      found.emplace_back(*number, entry.path());
    else if (entry.path().filename().string().starts_with("first-"))
      crash_records.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  // A crash record is the last word of a process that died; it goes out before later segments.
  for (const auto& crash : crash_records) {
    const std::uint64_t size = whole_lines_size(crash, file_size_or_zero(crash));
    segments_.push_back({crash, size, 0});
    bytes_ += size;
  }
  for (const auto& [number, path] : found) {
    const std::uint64_t size = whole_lines_size(path, file_size_or_zero(path));
    next_number_ = number + 1;
    if (size == 0) {
      remove_quietly(path);  // left by a process that was killed before writing to it
      continue;
    }
    segments_.push_back({path, size, 0});
    bytes_ += size;
  }
  start_new_segment();
}

Spool::~Spool() {
  if (write_fd_ >= 0) ::close(write_fd_);
  // An empty segment left behind would only be noise for the next start.
  for (const auto& segment : segments_) {
    if (segment.size == 0) remove_quietly(segment.path);
  }
}

void Spool::start_new_segment() {
  if (write_fd_ >= 0) ::close(write_fd_);
  // A segment whose file could not be created holds nothing: it is replaced, so retries while
  // the directory stays unwritable do not pile up entries.
  if (write_failed_) segments_.pop_back();
  char name[64];
  std::snprintf(name, sizeof name, "segment-%020lu.ndjson",
                static_cast<unsigned long>(next_number_++));
  const fs::path path = directory_ / name;
  write_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  write_failed_ = write_fd_ < 0;
  if (write_failed_) last_error_ = "cannot create " + path.string() + ": " + std::strerror(errno);
  segments_.push_back({path, 0, 0});
}

bool Spool::append(const std::string& lines) {
  if (lines.empty()) return true;
  if (bytes_ + lines.size() > max_bytes_) return false;
  // A segment that could not be created (the directory became unwritable or vanished): try
  // again, so the spool works again as soon as the directory does.
  if (write_fd_ < 0 ||
      (segments_.back().size > 0 && segments_.back().size + lines.size() > segment_bytes_) ||
      unlinked(write_fd_))
    start_new_segment();
  if (write_fd_ < 0) return false;
  if (!write_all(write_fd_, lines.data(), lines.size())) {
    last_error_ = "cannot write " + segments_.back().path.string() + ": " + std::strerror(errno);
    // Full disk or file size limit: part of the lines may be in the file. Cut them off, so the
    // file holds whole records only and the next append does not continue a torn one; when even
    // that fails, later lines go to a new segment and the reader stops at the recorded size.
    if (::ftruncate(write_fd_, static_cast<off_t>(segments_.back().size)) != 0) {
      start_new_segment();
    }
    return false;
  }
  segments_.back().size += lines.size();
  bytes_ += lines.size();
  last_error_.clear();
  return true;
}

std::string Spool::peek(std::size_t max_bytes) {
  while (!segments_.empty()) {
    Segment& oldest = segments_.front();
    const std::uint64_t remaining = oldest.size - oldest.shipped;
    if (remaining > 0) {
      std::ifstream in(oldest.path, std::ios::binary);
      in.seekg(static_cast<std::streamoff>(oldest.shipped));
      // Whole lines only, so a record is never split across two sends; a line longer than
      // max_bytes is read whole anyway.
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(max_bytes, remaining));
      std::string data;
      while (true) {
        const std::size_t had = data.size();
        data.resize(want);
        in.read(data.data() + had, static_cast<std::streamsize>(want - had));
        data.resize(had + static_cast<std::size_t>(in.gcount()));
        const std::size_t last_newline = data.rfind('\n');
        if (last_newline != std::string::npos) {
          data.resize(last_newline + 1);
          return data;
        }
        if (data.size() < want || want >= remaining) break;
        want = static_cast<std::size_t>(std::min<std::uint64_t>(want * 2, remaining));
      }
      // A torn last line (the process died mid-write): skip it.
      bytes_ -= remaining;
      oldest.shipped = oldest.size;
    }
    if (segments_.size() == 1) return {};  // the segment being written stays
    remove_quietly(oldest.path);
    segments_.pop_front();
  }
  return {};
}

void Spool::consume(std::size_t bytes) {
  while (bytes > 0 && !segments_.empty()) {
    Segment& oldest = segments_.front();
    const std::uint64_t take = std::min<std::uint64_t>(bytes, oldest.size - oldest.shipped);
    oldest.shipped += take;
    bytes_ -= take;
    bytes -= static_cast<std::size_t>(take);
    if (oldest.shipped == oldest.size && segments_.size() > 1) {
      remove_quietly(oldest.path);
      segments_.pop_front();
    } else if (take == 0) {
      break;
    }
  }
  // The write segment fully shipped: start it over instead of growing it forever.
  if (segments_.size() == 1 && segments_.front().shipped == segments_.front().size &&
      segments_.front().size > 0) {
    remove_quietly(segments_.front().path);
    segments_.clear();
    start_new_segment();
  }
}

}  // namespace cppapp::log
