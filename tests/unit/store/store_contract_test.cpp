// One behaviour, two stores: every test here runs against SQLite and against MongoDB (FerretDB).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <thread>

#include "ferretdb_server.hpp"
#include "mongo/mongo_store.hpp"
#include "numbered.hpp"
#include "store/store.hpp"

namespace cppapp::store {
namespace {

using testing::FerretDbServer;
using testing::TempDir;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct SqliteBackend {
  static void SetUpTestSuite() {}
  static void TearDownTestSuite() {}
  std::unique_ptr<Store> open() { return open_sqlite_store(dir.path() / "data"); }
  TempDir dir;
};

// One FerretDB for the whole suite; each test gets its own database, so tests stay independent.
struct MongoBackend {
  static void SetUpTestSuite() {
    testing::install_ferretdb();  // throws (failing the suite loudly) when FerretDB is unavailable
    state = std::make_unique<TempDir>();
    server = std::make_unique<FerretDbServer>(state->path(), testing::free_loopback_port());
    server->start();
  }
  static void TearDownTestSuite() {
    server.reset();
    state.reset();
  }
  std::unique_ptr<Store> open() {
    static int next_database = 0;
    const std::string database = "contract_" + std::to_string(++next_database);
    return open_mongo_store({server->uri(database), std::chrono::milliseconds(5000), 16});
  }
  static inline std::unique_ptr<TempDir> state;
  static inline std::unique_ptr<FerretDbServer> server;
};

template <typename Backend>
class StoreContract : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Backend::SetUpTestSuite(); }
  static void TearDownTestSuite() { Backend::TearDownTestSuite(); }
  void SetUp() override { store = backend.open(); }

  Backend backend;
  std::unique_ptr<Store> store;
};

using Backends = ::testing::Types<SqliteBackend, MongoBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, SqliteBackend> ? "sqlite" : "mongodb";
  }
};
TYPED_TEST_SUITE(StoreContract, Backends, BackendNames);

TYPED_TEST(StoreContract, CreateThenGetReturnsTheSameEntry) {
  const std::int64_t before = now_ms();
  const Entry created = this->store->create({"Ada", "Hello there"});
  const std::int64_t after = now_ms();
  EXPECT_TRUE(is_valid_id(created.id)) << created.id;
  EXPECT_EQ(created.name, "Ada");
  EXPECT_EQ(created.message, "Hello there");
  EXPECT_GE(created.created_at_ms, before);
  EXPECT_LE(created.created_at_ms, after);

  const std::optional<Entry> found = this->store->get(created.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, created.id);
  EXPECT_EQ(found->name, created.name);
  EXPECT_EQ(found->message, created.message);
  EXPECT_EQ(found->created_at_ms, created.created_at_ms);
}

TYPED_TEST(StoreContract, EmptyStoreListsNothing) {
  const Page page = this->store->list(20, std::nullopt);
  EXPECT_TRUE(page.entries.empty());
  EXPECT_FALSE(page.older_cursor);
}

TYPED_TEST(StoreContract, PaginatesNewestFirstVisitingEveryEntryOnce) {
  std::vector<std::string> created_ids;
  for (int i = 0; i < 250; ++i) {
    created_ids.push_back(this->store->create({numbered("n", i), "m"}).id);
  }
  std::vector<Entry> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    Page page = this->store->list(20, cursor);
    ASSERT_LE(page.entries.size(), 20u);
    ++pages;
    ASSERT_LE(pages, 13) << "pagination does not end";
    if (page.older_cursor) {
      ASSERT_EQ(page.entries.size(), 20u);
      EXPECT_EQ(*page.older_cursor, page.entries.back().id);
    }
    seen.insert(seen.end(), page.entries.begin(), page.entries.end());
    cursor = page.older_cursor;
  } while (cursor);
  EXPECT_EQ(pages, 13);  // 12 full pages and one of 10

  ASSERT_EQ(seen.size(), 250u);
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].id, created_ids[249 - i]) << "position " << i;
    EXPECT_EQ(seen[i].name, numbered("n", 249 - i));
    if (i > 0) {
      EXPECT_LE(seen[i].created_at_ms, seen[i - 1].created_at_ms);
    }
  }
}

TYPED_TEST(StoreContract, ExactlyFullLastPageHasNoCursor) {
  for (int i = 0; i < 4; ++i) this->store->create({"n", "m"});
  const Page first = this->store->list(2, std::nullopt);
  ASSERT_TRUE(first.older_cursor);
  const Page second = this->store->list(2, first.older_cursor);
  EXPECT_EQ(second.entries.size(), 2u);
  EXPECT_FALSE(second.older_cursor);
}

TYPED_TEST(StoreContract, BeforeIsAnIdBoundaryEvenWhenUnknown) {
  const Entry a = this->store->create({"a", "m"});
  const Entry b = this->store->create({"b", "m"});
  Page page = this->store->list(10, std::string(24, 'f'));
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0].id, b.id);
  EXPECT_EQ(page.entries[1].id, a.id);

  page = this->store->list(10, b.id);  // strictly older
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].id, a.id);
  EXPECT_FALSE(page.older_cursor);

  EXPECT_TRUE(this->store->list(10, a.id).entries.empty());
  EXPECT_TRUE(this->store->list(10, std::string(24, '0')).entries.empty());
}

TYPED_TEST(StoreContract, MalformedBeforeGivesAnEmptyPage) {
  this->store->create({"a", "m"});
  for (const std::string& before :
       std::vector<std::string>{"", "xyz", "ABCDEFABCDEFABCDEFABCDEF", "{\"$gt\":\"\"}",
                                std::string(25, 'f'), std::string(23, 'f')}) {
    const Page page = this->store->list(10, before);
    EXPECT_TRUE(page.entries.empty()) << before;
    EXPECT_FALSE(page.older_cursor) << before;
  }
}

TYPED_TEST(StoreContract, ZeroLimitListsNothing) {
  this->store->create({"a", "m"});
  const Page page = this->store->list(0, std::nullopt);
  EXPECT_TRUE(page.entries.empty());
  EXPECT_FALSE(page.older_cursor);
}

TYPED_TEST(StoreContract, GetUnknownOrMalformedIdIsEmpty) {
  const Entry created = this->store->create({"a", "m"});
  EXPECT_FALSE(this->store->get(std::string(24, '0')));
  std::string upper = created.id;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  for (const std::string& id :
       {std::string(), std::string("xyz"), upper, created.id + "0", created.id.substr(1),
        std::string("{\"$ne\":null}"), std::string("zzzzzzzzzzzzzzzzzzzzzzzz")}) {
    EXPECT_FALSE(this->store->get(id)) << id;
  }
  EXPECT_TRUE(this->store->get(created.id));
}

TYPED_TEST(StoreContract, UnicodeRoundTripsByteForByte) {
  const std::vector<NewEntry> inputs = {
      {"👋🏽 Zoë", "family 👨‍👩‍👧‍👦 and flag 🇳🇴"},
      {"שלום", "مرحبا بالعالم — mixed RTL עם English"},
      {"e\xCC\x81 a\xCC\x8A", "combining: Z\xCD\x91\xCD\x9B\xCC\xB3 and \xE2\x80\x8Bzero-width"},
      {"$where", "{\"$gt\": \"\"} is stored as text\nwith a line break\tand tab"},
      {"日本語", std::string(500, 'x')},
  };
  for (const NewEntry& input : inputs) {
    const Entry created = this->store->create(input);
    const std::optional<Entry> found = this->store->get(created.id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->name, input.name);
    EXPECT_EQ(found->message, input.message);
  }
  const Page page = this->store->list(10, std::nullopt);
  ASSERT_EQ(page.entries.size(), inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(page.entries[i].name, inputs[inputs.size() - 1 - i].name);
    EXPECT_EQ(page.entries[i].message, inputs[inputs.size() - 1 - i].message);
  }
}

TYPED_TEST(StoreContract, ConcurrentCreatesAreAllKept) {
  constexpr int threads = 8;
  constexpr int per_thread = 25;
  std::vector<std::vector<std::string>> ids(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        ids[t].push_back(this->store->create({numbered("t", t), std::to_string(i)}).id);
        if (i % 5 == 0) this->store->list(5, std::nullopt);  // readers alongside writers
      }
    });
  }
  for (std::thread& worker : workers) worker.join();

  std::set<std::string> created;
  for (const auto& list : ids) created.insert(list.begin(), list.end());
  ASSERT_EQ(created.size(), static_cast<std::size_t>(threads * per_thread));

  const Page page = this->store->list(max_list_limit, std::nullopt);
  std::set<std::string> listed;
  for (const Entry& entry : page.entries) listed.insert(entry.id);
  EXPECT_EQ(listed, created);
  EXPECT_TRUE(std::is_sorted(page.entries.begin(), page.entries.end(),
                             [](const Entry& a, const Entry& b) { return a.id > b.id; }));
}

TYPED_TEST(StoreContract, CountsEntriesAndProbesWritesWithoutStoringOne) {
  EXPECT_EQ(this->store->count(), 0u);
  for (int i = 0; i < 3; ++i) this->store->create({"n", "m"});
  EXPECT_EQ(this->store->count(), 3u);
  EXPECT_NO_THROW(this->store->probe_write());
  EXPECT_NO_THROW(this->store->probe_write());  // again: nothing of the first one is in the way
  EXPECT_EQ(this->store->count(), 3u);
  EXPECT_EQ(this->store->list(10, std::nullopt).entries.size(), 3u);
}

TYPED_TEST(StoreContract, PingsWhenReachable) {
  EXPECT_NO_THROW(this->store->ping());
  EXPECT_TRUE(this->store->kind() == "sqlite" || this->store->kind() == "mongodb");
}

}  // namespace
}  // namespace cppapp::store
