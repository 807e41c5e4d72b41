// The MongoDB store over a libmongoc client pool. Every value sent is appended as a typed BSON
// field (never parsed from user JSON), so no user input can become a query operator.
#include <mongoc/mongoc.h>

#include <algorithm>
#include <array>
#include <chrono>

#include "mongo/mongo_store.hpp"
#include "mongo/mongoc_library.hpp"
#include "store/object_id.hpp"

namespace cppapp::store {
namespace {

constexpr const char* collection_name = "entries";

struct BsonDoc {
  BsonDoc() { bson_init(&doc); }
  ~BsonDoc() { bson_destroy(&doc); }
  BsonDoc(const BsonDoc&) = delete;
  BsonDoc& operator=(const BsonDoc&) = delete;
  bson_t* get() { return &doc; }
  bson_t doc;
};

struct UriDeleter {
  void operator()(mongoc_uri_t* uri) const { mongoc_uri_destroy(uri); }
};
struct PoolDeleter {
  void operator()(mongoc_client_pool_t* pool) const { mongoc_client_pool_destroy(pool); }
};
struct CollectionDeleter {
  void operator()(mongoc_collection_t* collection) const { mongoc_collection_destroy(collection); }
};
struct CursorDeleter {
  void operator()(mongoc_cursor_t* cursor) const { mongoc_cursor_destroy(cursor); }
};
using Collection = std::unique_ptr<mongoc_collection_t, CollectionDeleter>;
using Cursor = std::unique_ptr<mongoc_cursor_t, CursorDeleter>;

// Server codes that mean "not now" (failover, shutdown, time limits) rather than "never".
bool is_transient_server_code(std::uint32_t code) {
  constexpr std::array<std::uint32_t, 15> codes = {
      6, 7, 50, 64, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 10058};
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

StoreError error_from(const bson_error_t& error, std::string_view doing) {
  // OutOfDiskSpace (14031): the server refuses writes for want of room.
  if (error.domain == MONGOC_ERROR_SERVER && error.code == 14031) {
    return StoreError(StoreError::Kind::full,
                      "mongodb: " + std::string(doing) + ": " + error.message);
  }
  const bool unavailable =
      error.domain == MONGOC_ERROR_SERVER_SELECTION || error.domain == MONGOC_ERROR_STREAM ||
      ((error.domain == MONGOC_ERROR_SERVER || error.domain == MONGOC_ERROR_WRITE_CONCERN) &&
       is_transient_server_code(error.code));
  return StoreError(unavailable ? StoreError::Kind::unavailable : StoreError::Kind::failed,
                    "mongodb: " + std::string(doing) + ": " + error.message);
}

bool parse_oid(std::string_view hex, bson_oid_t& oid) {
  if (!is_valid_id(hex)) return false;
  bson_oid_init_from_string(&oid, std::string(hex).c_str());
  return true;
}

std::string oid_hex(const bson_oid_t& oid) {
  char hex[25];
  bson_oid_to_string(&oid, hex);
  return std::string(hex, 24);
}

// Only documents with an ObjectId _id are entries (anything else in the collection is skipped).
std::optional<Entry> read_entry(const bson_t* doc) {
  bson_iter_t iter;
  if (!bson_iter_init_find(&iter, doc, "_id") || !BSON_ITER_HOLDS_OID(&iter)) return std::nullopt;
  const bson_oid_t* oid = bson_iter_oid(&iter);
  Entry entry{oid_hex(*oid), {}, {}, static_cast<std::int64_t>(bson_oid_get_time_t(oid)) * 1000};
  if (!bson_iter_init(&iter, doc)) return std::nullopt;
  while (bson_iter_next(&iter)) {
    const std::string_view key = bson_iter_key(&iter);
    std::uint32_t length = 0;
    if (key == "name" && BSON_ITER_HOLDS_UTF8(&iter)) {
      const char* text = bson_iter_utf8(&iter, &length);
      entry.name.assign(text, length);
    } else if (key == "message" && BSON_ITER_HOLDS_UTF8(&iter)) {
      const char* text = bson_iter_utf8(&iter, &length);
      entry.message.assign(text, length);
    } else if (key == "createdAt" && BSON_ITER_HOLDS_DATE_TIME(&iter)) {
      entry.created_at_ms = bson_iter_date_time(&iter);
    }
  }
  return entry;
}

class MongoStore final : public Store {
 public:
  explicit MongoStore(const MongoOptions& options) {
    const std::string text = effective_mongo_uri(options);
    bson_error_t error;
    uri_.reset(mongoc_uri_new_with_error(text.c_str(), &error));
    if (!uri_) {
      throw StoreError(StoreError::Kind::failed,
                       "invalid MongoDB URI: " + std::string(error.message));
    }
    database_ = mongoc_uri_get_database(uri_.get());
    // Creating the pool does no I/O; its monitor threads start with the first pop.
    pool_.reset(mongoc_client_pool_new(uri_.get()));
    if (!pool_) throw StoreError(StoreError::Kind::failed, "mongodb: cannot create client pool");
    mongoc_client_pool_set_error_api(pool_.get(), MONGOC_ERROR_API_VERSION_2);
    mongoc_client_pool_max_size(
        pool_.get(), static_cast<std::uint32_t>(std::max<std::size_t>(1, options.max_pool_size)));
  }

  Entry create(const NewEntry& entry) override {
    Entry stored{new_object_id(), entry.name, entry.message, now_ms()};
    bson_oid_t oid;
    parse_oid(stored.id, oid);
    BsonDoc doc;
    BSON_APPEND_OID(doc.get(), "_id", &oid);
    bson_append_utf8(doc.get(), "name", 4, stored.name.data(),
                     static_cast<int>(stored.name.size()));
    bson_append_utf8(doc.get(), "message", 7, stored.message.data(),
                     static_cast<int>(stored.message.size()));
    BSON_APPEND_DATE_TIME(doc.get(), "createdAt", stored.created_at_ms);
    Client client(*this);
    Collection collection = client.collection(database_);
    bson_error_t error;
    if (!mongoc_collection_insert_one(collection.get(), doc.get(), nullptr, nullptr, &error)) {
      throw error_from(error, "insert");
    }
    return stored;
  }

  Page list(std::size_t limit, const std::optional<std::string>& before) override {
    Page page;
    bson_oid_t before_oid;
    if (before && !parse_oid(*before, before_oid)) return page;
    limit = std::min(limit, max_list_limit);
    if (limit == 0) return page;

    BsonDoc filter;
    if (before) {
      bson_t range;
      BSON_APPEND_DOCUMENT_BEGIN(filter.get(), "_id", &range);
      BSON_APPEND_OID(&range, "$lt", &before_oid);
      bson_append_document_end(filter.get(), &range);
    }
    BsonDoc options;
    bson_t sort;
    BSON_APPEND_DOCUMENT_BEGIN(options.get(), "sort", &sort);
    BSON_APPEND_INT32(&sort, "_id", -1);  // ObjectIds sort by creation time
    bson_append_document_end(options.get(), &sort);
    // One more than asked tells whether older entries exist.
    BSON_APPEND_INT64(options.get(), "limit", static_cast<std::int64_t>(limit + 1));

    bool more = false;
    for_each_found(filter.get(), options.get(), "list", [&](const Entry& entry) {
      if (page.entries.size() == limit) {
        more = true;
        return false;
      }
      page.entries.push_back(entry);
      return true;
    });
    if (more) page.older_cursor = page.entries.back().id;
    return page;
  }

  std::optional<Entry> get(std::string_view id) override {
    bson_oid_t oid;
    if (!parse_oid(id, oid)) return std::nullopt;
    BsonDoc filter;
    BSON_APPEND_OID(filter.get(), "_id", &oid);
    BsonDoc options;
    BSON_APPEND_INT64(options.get(), "limit", 1);
    std::optional<Entry> found;
    for_each_found(filter.get(), options.get(), "get", [&](const Entry& entry) {
      found = entry;
      return false;
    });
    return found;
  }

  void ping() override {
    BsonDoc command;
    BSON_APPEND_INT32(command.get(), "ping", 1);
    Client client(*this);
    bson_error_t error;
    if (!mongoc_client_command_simple(client.get(), "admin", command.get(), nullptr, nullptr,
                                      &error)) {
      StoreError failure = error_from(error, "ping");
      // Whatever stops a ping means the database cannot serve us now.
      throw StoreError(StoreError::Kind::unavailable, failure.what());
    }
  }

  void probe_write() override {
    // As an entry would: one document written (in a collection of its own, never among the
    // entries), then removed. While MongoDB is out of room the write fails with OutOfDiskSpace,
    // so the monitor keeps the store "full" (and /readyz unready) until it really takes writes.
    Client client(*this);
    Collection probes(mongoc_client_get_collection(client.get(), database_.c_str(), "write_probe"));
    BsonDoc selector;
    BSON_APPEND_UTF8(selector.get(), "_id", "probe");
    BsonDoc replacement;
    BSON_APPEND_UTF8(replacement.get(), "_id", "probe");
    const std::string padding(512, 'p');  // about an entry's size
    BSON_APPEND_UTF8(replacement.get(), "padding", padding.c_str());
    BsonDoc options;
    BSON_APPEND_BOOL(options.get(), "upsert", true);
    bson_error_t error;
    if (!mongoc_collection_replace_one(probes.get(), selector.get(), replacement.get(),
                                       options.get(), nullptr, &error)) {
      throw error_from(error, "probe write");
    }
    if (!mongoc_collection_delete_one(probes.get(), selector.get(), nullptr, nullptr, &error)) {
      throw error_from(error, "probe write");
    }
  }

  std::uint64_t count() override {
    Client client(*this);
    Collection collection = client.collection(database_);
    bson_error_t error;
    const std::int64_t counted = mongoc_collection_estimated_document_count(
        collection.get(), nullptr, nullptr, nullptr, &error);
    if (counted < 0) throw error_from(error, "count");
    return static_cast<std::uint64_t>(counted);
  }

  std::string_view kind() const override { return "mongodb"; }

 private:
  static std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

  // A client borrowed from the pool for one call (waits while all max_pool_size are in use).
  class Client {
   public:
    explicit Client(MongoStore& store)
        : pool_(store.pool_.get()), client_(mongoc_client_pool_pop(pool_)) {}
    ~Client() { mongoc_client_pool_push(pool_, client_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    mongoc_client_t* get() const { return client_; }
    Collection collection(const std::string& database) const {
      return Collection(mongoc_client_get_collection(client_, database.c_str(), collection_name));
    }

   private:
    mongoc_client_pool_t* pool_;
    mongoc_client_t* client_;
  };

  // Calls `visit` for each entry found until it returns false; throws StoreError on failure.
  template <typename Visit>
  void for_each_found(const bson_t* filter, const bson_t* options, std::string_view doing,
                      Visit visit) {
    Client client(*this);
    Collection collection = client.collection(database_);
    Cursor cursor(mongoc_collection_find_with_opts(collection.get(), filter, options, nullptr));
    const bson_t* doc = nullptr;
    while (mongoc_cursor_next(cursor.get(), &doc)) {
      if (std::optional<Entry> entry = read_entry(doc); entry && !visit(*entry)) break;
    }
    bson_error_t error;
    if (mongoc_cursor_error(cursor.get(), &error)) throw error_from(error, doing);
  }

  std::unique_ptr<mongoc_uri_t, UriDeleter> uri_;
  std::unique_ptr<mongoc_client_pool_t, PoolDeleter> pool_;
  std::string database_;
};

}  // namespace

std::unique_ptr<Store> open_mongo_store(const MongoOptions& options) {
  ensure_mongoc_initialized();
  return std::make_unique<MongoStore>(options);
}

}  // namespace cppapp::store
