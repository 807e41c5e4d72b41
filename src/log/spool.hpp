// The log spool: JSON lines on disk while Logstash is away, shipped oldest first when it returns.
// Segment files "segment-<number>.ndjson" in one directory (plus "first-*.ndjson" files shipped
// before them); a file is deleted once shipped.
// A spool left by a crashed or killed process is found and shipped by the next start.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cppapp::log {

class Spool {
 public:
  /// Opens (creating) `directory`; existing segments are queued for shipping, oldest first.
  /// `max_bytes` bounds the whole spool; `segment_bytes` one segment file.
  Spool(std::filesystem::path directory, std::uint64_t max_bytes,
        std::uint64_t segment_bytes = 4 << 20);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  /// Appends complete lines (each ending in '\n'); false when they would not fit or could not
  /// be written (nothing of them is then in the spool). Never throws.
  bool append(const std::string& lines);

  /// True when nothing waits on disk.
  bool empty() const { return bytes_ == 0; }
  std::uint64_t bytes() const { return bytes_; }

  /// Up to about `max_bytes` of the oldest unshipped complete lines (empty when none).
  std::string peek(std::size_t max_bytes);
  /// Marks the first `bytes` of what peek() returned as shipped; deletes finished segments.
  void consume(std::size_t bytes);

  const std::filesystem::path& directory() const { return directory_; }

  /// Why the last append failed for a reason other than the size bound (the directory or a
  /// segment cannot be written: removed, read-only, full disk); empty once an append succeeds.
  const std::string& last_error() const { return last_error_; }

 private:
  struct Segment {
    std::filesystem::path path;
    std::uint64_t size = 0;     ///< bytes written to it
    std::uint64_t shipped = 0;  ///< bytes of it already consumed
  };
  void start_new_segment();

  std::filesystem::path directory_;
  std::uint64_t max_bytes_;
  std::uint64_t segment_bytes_;
  std::deque<Segment> segments_;  ///< oldest first; the last one is written to
  std::uint64_t bytes_ = 0;       ///< unshipped bytes across segments
  std::uint64_t next_number_ = 1;
  int write_fd_ = -1;
  bool write_failed_ = false;  ///< the write segment's file could not be created
  std::string last_error_;
};

}  // namespace cppapp::log
