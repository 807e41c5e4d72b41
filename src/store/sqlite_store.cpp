// The embedded store: one SQLite file in WAL mode, a small pool of connections so that readers
// run in parallel while SQLite serialises the writers (waiting up to the busy timeout).
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "store/object_id.hpp"
#include "store/recent_pages.hpp"
#include "store/store.hpp"

namespace cppapp::store {
namespace {

constexpr int busy_timeout_ms = 5000;
constexpr std::size_t max_idle_connections = 8;
// How long a kept page answers without the database being asked again: the bound on the one
// change by another program that the files' stamp can miss (see recent_pages.hpp).
constexpr auto recent_page_max_age = std::chrono::seconds(1);

struct ConnectionCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// Whether the database's files cannot grow: the file system has (almost) no space left, or a
// file is at this process's file size limit (RLIMIT_FSIZE). SQLite reports a disk without
// space as SQLITE_FULL only when write() says ENOSPC or writes short; a write refused with EFBIG
// (a size limit) or EDQUOT (a quota) is a plain SQLITE_IOERR_WRITE, and it does not keep that
// errno (sqlite3_system_errno gives 0), so the cause is looked up here.
bool files_cannot_grow(sqlite3* db) {
  const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
  if (name == nullptr || *name == '\0') return false;
  const std::filesystem::path file(name);
  struct statvfs space {};
  constexpr std::uint64_t kNoRoom = 64 * 1024;
  if (::statvfs(file.parent_path().c_str(), &space) == 0 &&
      static_cast<std::uint64_t>(space.f_bavail) * space.f_frsize < kNoRoom) {
    return true;
  }
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_FSIZE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return false;
  std::error_code ignored;
  for (const auto& candidate : {file, std::filesystem::path(file.string() + "-wal")}) {
    const auto size = std::filesystem::file_size(candidate, ignored);
    if (!ignored && size + kNoRoom >= limit.rlim_cur) return true;
  }
  return false;
}

// No room for a write: SQLITE_FULL, or a failed write whose files cannot grow.
bool is_full(sqlite3* db, int code) {
  if ((code & 0xff) == SQLITE_FULL) return true;
  return code == SQLITE_IOERR_WRITE && files_cannot_grow(db);
}

// Locked or busy past the timeout, or the file gone: the database did not answer in time.
StoreError error_from(sqlite3* db, int code, std::string_view doing) {
  const int primary = code & 0xff;
  std::string what = "sqlite: " + std::string(doing) + ": ";
  what += db ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  if (is_full(db, code)) {
    what += " (no room: the disk is full or a file is at its size limit)";
    return StoreError(StoreError::Kind::full, what);
  }
  const bool unavailable = primary == SQLITE_BUSY || primary == SQLITE_LOCKED ||
                           primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR;
  return StoreError(unavailable ? StoreError::Kind::unavailable : StoreError::Kind::failed, what);
}

/// A compiled statement lent for one call: reset and unbound when the call is done, so it holds
/// no read transaction open (that would stall WAL checkpoints) and is ready for the next call.
class StatementInUse {
 public:
  explicit StatementInUse(sqlite3_stmt* statement) : statement_(statement) {}
  ~StatementInUse() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  StatementInUse(const StatementInUse&) = delete;
  StatementInUse& operator=(const StatementInUse&) = delete;
  sqlite3_stmt* get() const { return statement_; }

 private:
  sqlite3_stmt* statement_;
};

/// One open database and the statements already compiled on it: compiling a query costs more
/// than running it over a page of 20 entries, so each connection keeps its statements.
class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* get() const { return db_.get(); }

  StatementInUse statement(const std::string& sql) {
    auto found = statements_.find(sql);
    if (found == statements_.end()) {
      sqlite3_stmt* compiled = nullptr;
      const int code = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &compiled, nullptr);
      if (code != SQLITE_OK) throw error_from(db_.get(), code, "prepare");
      found = statements_.emplace(sql, Statement(compiled)).first;
    }
    return StatementInUse(found->second.get());
  }

 private:
  // Declared before the statements: they are finalized first, then the connection closes.
  std::unique_ptr<sqlite3, ConnectionCloser> db_;
  std::unordered_map<std::string, Statement> statements_;
};

void execute(sqlite3* db, const char* sql) {
  const int code = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) throw error_from(db, code, sql);
}

void bind_text(sqlite3_stmt* statement, int index, std::string_view text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

std::string column_text(sqlite3_stmt* statement, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column)))
              : std::string();
}

// Columns in the order of `entry_columns`.
constexpr std::string_view entry_columns = "id, name, message, created_at_ms";
Entry read_entry(sqlite3_stmt* statement) {
  return Entry{column_text(statement, 0), column_text(statement, 1), column_text(statement, 2),
               sqlite3_column_int64(statement, 3)};
}

Connection open_connection(const std::filesystem::path& file) {
  sqlite3* raw = nullptr;
  // NOMUTEX: a connection is used by one thread at a time (the pool hands it out exclusively).
  const int code =
      sqlite3_open_v2(file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection db(raw);
  if (code != SQLITE_OK) throw error_from(db.get(), code, "open " + file.string());
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), busy_timeout_ms);
  // In WAL mode NORMAL keeps the database consistent and every commit durable against a crash
  // of cppapp; only a power loss may roll back the last commits. FULL would wait for the disk
  // on every guestbook entry.
  execute(db.get(), "PRAGMA synchronous=NORMAL");
  return db;
}

class SqliteStore final : public Store {
 public:
  SqliteStore(std::filesystem::path file, std::size_t recent_pages_bytes)
      : file_(std::move(file)), recent_(recent_pages_bytes, recent_page_max_age) {
    Connection db = open_connection(file_);
    execute(db.get(), "PRAGMA journal_mode=WAL");
    execute(db.get(),
            "CREATE TABLE IF NOT EXISTS entries ("
            " id TEXT PRIMARY KEY NOT NULL,"  // ObjectId hex: text order is creation order
            " name TEXT NOT NULL,"
            " message TEXT NOT NULL,"
            " created_at_ms INTEGER NOT NULL"
            ") WITHOUT ROWID");
    // One row at most, written and removed by probe_write.
    execute(db.get(), "CREATE TABLE IF NOT EXISTS write_probe (id INTEGER PRIMARY KEY, data BLOB)");
    sqlite3_stmt* counting = nullptr;
    if (sqlite3_prepare_v2(db.get(), "SELECT count(*) FROM entries", -1, &counting, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(counting) == SQLITE_ROW) {
      count_ = static_cast<std::uint64_t>(sqlite3_column_int64(counting, 0));
    }
    sqlite3_finalize(counting);
    idle_.push_back(std::move(db));
  }

  std::uint64_t count() override { return count_.load(std::memory_order_relaxed); }

  void probe_write() override {
    // As an entry would: a row large enough to need a page of its own, committed (so the WAL
    // grows as an insert's would), then removed. Fails as the insert did while there is no room.
    Lease lease(*this);
    const StatementInUse insert =
        lease.statement("INSERT OR REPLACE INTO write_probe (id, data) VALUES (1, zeroblob(4096))");
    int code = sqlite3_step(insert.get());
    if (code != SQLITE_DONE) throw error_from(lease.db(), code, "probe write");
    const StatementInUse remove = lease.statement("DELETE FROM write_probe");
    code = sqlite3_step(remove.get());
    if (code != SQLITE_DONE) throw error_from(lease.db(), code, "probe write");
  }

  Entry create(const NewEntry& entry) override {
    Entry stored{new_object_id(), entry.name, entry.message, now_ms()};
    Lease lease(*this);
    const StatementInUse statement = lease.statement(
        "INSERT INTO entries (id, name, message, created_at_ms) VALUES (?, ?, ?, ?)");
    bind_text(statement.get(), 1, stored.id);
    bind_text(statement.get(), 2, stored.name);
    bind_text(statement.get(), 3, stored.message);
    sqlite3_bind_int64(statement.get(), 4, stored.created_at_ms);
    const int code = sqlite3_step(statement.get());
    if (code != SQLITE_DONE) throw error_from(lease.db(), code, "insert");
    count_.fetch_add(1, std::memory_order_relaxed);
    recent_.forget_all();
    return stored;
  }

  Page list(std::size_t limit, const std::optional<std::string>& before) override {
    Page page;
    if (before && !is_valid_id(*before)) return page;
    limit = std::min(limit, max_list_limit);
    if (limit == 0) return page;
    // Taken before the read: a write committing while it runs keeps its page from being kept
    // (cppapp's) or from being found again (another program's).
    const std::uint64_t generation = recent_.generation();
    const FilesStamp files = recent_.enabled() ? files_.stamp() : FilesStamp{};
    std::string sql = "SELECT " + std::string(entry_columns) + " FROM entries";
    if (before) sql += " WHERE id < ?1";
    sql += " ORDER BY id DESC LIMIT ?2";
    Lease lease(*this);
    const StatementInUse statement = lease.statement(sql);
    if (before) bind_text(statement.get(), 1, *before);
    // One more than asked tells whether older entries exist.
    sqlite3_bind_int64(statement.get(), 2, static_cast<sqlite3_int64>(limit + 1));
    bool more = false;
    int code;
    while ((code = sqlite3_step(statement.get())) == SQLITE_ROW) {
      if (page.entries.size() == limit) {
        more = true;
        break;
      }
      page.entries.push_back(read_entry(statement.get()));
    }
    if (code != SQLITE_ROW && code != SQLITE_DONE) throw error_from(lease.db(), code, "list");
    if (more) page.older_cursor = page.entries.back().id;
    if (recent_.enabled()) recent_.keep(limit, before, generation, files, page);
    return page;
  }

  std::shared_ptr<const Page> current_page(std::size_t limit,
                                           const std::optional<std::string>& before) override {
    if (!recent_.enabled() || (before && !is_valid_id(*before))) return nullptr;
    return recent_.find(std::min(limit, max_list_limit), before, [this] { return files_.stamp(); });
  }

  std::optional<Entry> get(std::string_view id) override {
    if (!is_valid_id(id)) return std::nullopt;
    Lease lease(*this);
    const StatementInUse statement =
        lease.statement("SELECT " + std::string(entry_columns) + " FROM entries WHERE id = ?");
    bind_text(statement.get(), 1, id);
    const int code = sqlite3_step(statement.get());
    if (code == SQLITE_ROW) return read_entry(statement.get());
    if (code != SQLITE_DONE) throw error_from(lease.db(), code, "get");
    return std::nullopt;
  }

  void ping() override {
    std::error_code ignored;
    // SQLite would quietly recreate a deleted file elsewhere in the schema's absence: check the
    // file is still there, then that it still reads.
    if (!std::filesystem::exists(file_, ignored)) {
      throw StoreError(StoreError::Kind::unavailable, "sqlite: " + file_.string() + " is gone");
    }
    Lease lease(*this);
    const StatementInUse statement = lease.statement("SELECT 1 FROM entries LIMIT 1");
    const int code = sqlite3_step(statement.get());
    if (code != SQLITE_ROW && code != SQLITE_DONE) throw error_from(lease.db(), code, "ping");
  }

  std::string_view kind() const override { return "sqlite"; }

 private:
  static std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  // A connection borrowed from the pool for one call, returned when the call ends.
  class Lease {
   public:
    explicit Lease(SqliteStore& store) : store_(store), db_(store.acquire()) {}
    ~Lease() { store_.release(std::move(db_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    sqlite3* db() const { return db_.get(); }
    StatementInUse statement(const std::string& sql) { return db_.statement(sql); }

   private:
    SqliteStore& store_;
    Connection db_;
  };

  Connection acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        Connection db = std::move(idle_.back());
        idle_.pop_back();
        return db;
      }
    }
    return open_connection(file_);
  }

  void release(Connection db) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_connections) idle_.push_back(std::move(db));
  }

  std::filesystem::path file_;
  /// Entries stored: counted once at open, then kept by create (this process owns the file).
  std::atomic<std::uint64_t> count_{0};
  std::mutex mutex_;
  std::vector<Connection> idle_;
  RecentPages recent_;
  DatabaseFiles files_{file_};
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& data_dir,
                                         std::size_t recent_pages_bytes) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    throw StoreError(StoreError::Kind::unavailable,
                     "sqlite: cannot create " + data_dir.string() + ": " + error.message());
  }
  return std::make_unique<SqliteStore>(data_dir / "guestbook.sqlite3", recent_pages_bytes);
}

}  // namespace cppapp::store
