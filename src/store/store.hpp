// The guestbook's persistence: one interface, two implementations (embedded SQLite, MongoDB)
// that behave identically, so the rest of cppapp never knows which one it talks to.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cppapp::store {

/// One stored guestbook entry.
struct Entry {
  std::string id;  ///< 24 lower-case hex chars (a BSON ObjectId)
  std::string name;
  std::string message;
  std::int64_t created_at_ms = 0;  ///< milliseconds since the Unix epoch, UTC
};

/// A new entry, already validated (see entry_validation.hpp).
struct NewEntry {
  std::string name;
  std::string message;
};

/// One page of entries, newest first.
struct Page {
  std::vector<Entry> entries;
  /// The id to pass as `before` for the next page, present only when older entries exist.
  std::optional<std::string> older_cursor;
};

/// The database could not be reached or answered in time (unavailable → 503), has no room for
/// a write (full → 507: a full disk, a file size limit, MongoDB out of disk space), or failed
/// otherwise (→ 500).
struct StoreError : std::runtime_error {
  enum class Kind { unavailable, full, failed };
  /// An error of `kind` with a message for the log (never shown to users as is).
  StoreError(Kind kind, const std::string& what);
  Kind kind;
};

/// The largest page `list` returns; larger limits are clamped to it.
inline constexpr std::size_t max_list_limit = 1000;

/// Where guestbook entries live. All calls block and are made concurrently from a worker pool:
/// implementations are thread-safe.
class Store {
 public:
  virtual ~Store() = default;
  /// Stores a new entry with a fresh id and the current time; throws StoreError.
  virtual Entry create(const NewEntry& entry) = 0;
  /// At most `limit` entries (clamped to max_list_limit), newest first, strictly older than
  /// `before` when given. Callers check `before` with is_valid_id; a malformed one gives an empty
  /// page. Throws StoreError.
  virtual Page list(std::size_t limit, const std::optional<std::string>& before) = 0;
  /// The page list(limit, before) would return, when the store knows it without a database call
  /// (the embedded store: a page read since its last write, see recent_pages.hpp); null when it
  /// does not. Never blocks, so an event loop may ask.
  virtual std::shared_ptr<const Page> current_page(std::size_t /*limit*/,
                                                   const std::optional<std::string>& /*before*/) {
    return nullptr;
  }
  /// The entry with this id; nullopt for unknown or malformed ids. Throws StoreError.
  virtual std::optional<Entry> get(std::string_view id) = 0;
  /// Returns when the database answers; throws StoreError(unavailable) when it cannot be reached.
  virtual void ping() = 0;
  /// Returns when the database takes a write again after one failed for want of room (the
  /// monitor calls it until then); throws StoreError(full) while it still does not. Writes and
  /// removes a probe, never an entry (SQLite: a row of table write_probe; MongoDB: a document
  /// of collection write_probe). By default a ping.
  virtual void probe_write() { ping(); }
  /// How many entries are stored (an estimate for MongoDB: collection metadata, no scan).
  /// Throws StoreError.
  virtual std::uint64_t count() = 0;
  /// "sqlite" or "mongodb".
  virtual std::string_view kind() const = 0;
};

/// True for 24 lower-case hex chars, the only id form either store ever produces.
bool is_valid_id(std::string_view id);

/// Opens (creating when needed) `data_dir`/guestbook.sqlite3 in WAL mode with its schema, keeping
/// up to `recent_pages_bytes` of pages read since the last write (READ_CACHE; 0: none).
/// Throws StoreError when the directory or the file cannot be created or opened.
std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& data_dir,
                                         std::size_t recent_pages_bytes = 0);

/// How to reach MongoDB.
struct MongoOptions {
  std::string uri;  ///< mongodb:// or mongodb+srv:// URI
  /// Bounds server selection, connecting and each socket read/write (so a hung server fails).
  std::chrono::milliseconds timeout{2000};
  std::size_t max_pool_size = 16;
};

}  // namespace cppapp::store
