// MongoDB-only behaviour: never blocking at start-up, failing fast when the server is gone,
// the connection-string defaults, and the shape of the stored documents.
#include <mongoc/mongoc.h>

#include <gtest/gtest.h>

#include <chrono>

#include "ferretdb_server.hpp"
#include "mongo/mongo_store.hpp"
#include "store/store.hpp"

namespace cppapp::store {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::string closed_port_uri() {
  return "mongodb://127.0.0.1:" + std::to_string(testing::free_loopback_port()) + "/guestbook";
}

// Runs `call`, expects StoreError(unavailable), returns how long it took.
template <typename Call>
milliseconds expect_unavailable(Call call) {
  const auto start = Clock::now();
  try {
    call();
    ADD_FAILURE() << "no StoreError";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.kind, StoreError::Kind::unavailable) << error.what();
  }
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

TEST(MongoStore, OpensWithoutTouchingTheNetwork) {
  const auto start = Clock::now();
  auto store = open_mongo_store({closed_port_uri(), milliseconds(2000), 4});
  EXPECT_LT(Clock::now() - start, milliseconds(100));
  EXPECT_EQ(store->kind(), "mongodb");
}

TEST(MongoStore, UnreachableServerFailsWithinTheTimeout) {
  const milliseconds timeout(1000);
  auto store = open_mongo_store({closed_port_uri(), timeout, 4});
  EXPECT_LT(expect_unavailable([&] { store->ping(); }), timeout + milliseconds(1000));
  EXPECT_LT(expect_unavailable([&] { store->create({"a", "b"}); }), timeout + milliseconds(1000));
  EXPECT_LT(expect_unavailable([&] { store->list(10, std::nullopt); }),
            timeout + milliseconds(1000));
  EXPECT_LT(expect_unavailable([&] { store->get(std::string(24, 'a')); }),
            timeout + milliseconds(1000));
}

TEST(MongoStore, UnresolvableHostIsUnavailable) {
  auto store = open_mongo_store({"mongodb://no-such-host.invalid:27017/x", milliseconds(500), 2});
  EXPECT_LT(expect_unavailable([&] { store->ping(); }), milliseconds(1500));
}

TEST(MongoStore, RejectsAnInvalidUri) {
  for (const char* uri : {"", "http://example.com", "mongodb://"}) {
    try {
      open_mongo_store({uri, milliseconds(1000), 1});
      ADD_FAILURE() << uri;
    } catch (const StoreError& error) {
      EXPECT_EQ(error.kind, StoreError::Kind::failed) << uri;
    }
  }
}

TEST(EffectiveMongoUri, AddsDefaultsAndTheSeedDatabase) {
  EXPECT_EQ(effective_mongo_uri({"mongodb://mongo-store", milliseconds(2000), 16}),
            "mongodb://mongo-store/nodeapp?appname=cppapp&serverSelectionTimeoutMS=2000"
            "&connectTimeoutMS=2000&socketTimeoutMS=2000&retryWrites=true");
  EXPECT_EQ(effective_mongo_uri({"mongodb://mongo-store/nodeapp", milliseconds(1500), 16}),
            "mongodb://mongo-store/nodeapp?appname=cppapp&serverSelectionTimeoutMS=1500"
            "&connectTimeoutMS=1500&socketTimeoutMS=1500&retryWrites=true");
  EXPECT_EQ(effective_mongo_uri({"mongodb://mongo-store/", milliseconds(2000), 16}),
            "mongodb://mongo-store/nodeapp?appname=cppapp&serverSelectionTimeoutMS=2000"
            "&connectTimeoutMS=2000&socketTimeoutMS=2000&retryWrites=true");
}

TEST(EffectiveMongoUri, KeepsWhatTheUserSet) {
  EXPECT_EQ(effective_mongo_uri({"mongodb://u:p%40ss@a:1,b:2/guest?appName=mine&"
                                 "serverSelectionTimeoutMS=9000&connectTimeoutMS=8000&"
                                 "socketTimeoutMS=0&retryWrites=false",
                                 milliseconds(2000), 16}),
            "mongodb://u:p%40ss@a:1,b:2/guest?appName=mine&serverSelectionTimeoutMS=9000&"
            "connectTimeoutMS=8000&socketTimeoutMS=0&retryWrites=false");
}

TEST(EffectiveMongoUri, MajorityWritesOnlyForANamedReplicaSetWithoutW) {
  EXPECT_EQ(effective_mongo_uri({"mongodb://a,b,c/?replicaSet=rs0&appname=x&"
                                 "serverSelectionTimeoutMS=1&connectTimeoutMS=1&"
                                 "socketTimeoutMS=1&retryWrites=true",
                                 milliseconds(2000), 16}),
            "mongodb://a,b,c/nodeapp?replicaSet=rs0&appname=x&serverSelectionTimeoutMS=1&"
            "connectTimeoutMS=1&socketTimeoutMS=1&retryWrites=true&w=majority");
  const std::string with_w =
      effective_mongo_uri({"mongodb://a/db?replicaSet=rs0&w=1", milliseconds(5), 1});
  EXPECT_EQ(with_w.find("w=majority"), std::string::npos) << with_w;
}

TEST(EffectiveMongoUri, InvalidUriThrowsFailed) {
  try {
    effective_mongo_uri({"not a uri", milliseconds(1), 1});
    ADD_FAILURE();
  } catch (const StoreError& error) {
    EXPECT_EQ(error.kind, StoreError::Kind::failed);
  }
}

class MongoDocuments : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    testing::install_ferretdb();
    state = std::make_unique<testing::TempDir>();
    server =
        std::make_unique<testing::FerretDbServer>(state->path(), testing::free_loopback_port());
    server->start();
  }
  static void TearDownTestSuite() {
    server.reset();
    state.reset();
  }
  static inline std::unique_ptr<testing::TempDir> state;
  static inline std::unique_ptr<testing::FerretDbServer> server;
};

TEST_F(MongoDocuments, StoresTypedFieldsInTheEntriesCollection) {
  auto store = open_mongo_store({server->uri("shape"), milliseconds(5000), 2});
  const Entry created = store->create({"{\"$gt\":\"\"}", "hi"});

  mongoc_client_t* client = mongoc_client_new(server->uri("shape").c_str());
  ASSERT_TRUE(client);
  mongoc_collection_t* collection = mongoc_client_get_collection(client, "shape", "entries");
  bson_t filter = BSON_INITIALIZER;
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(collection, &filter, nullptr, nullptr);
  const bson_t* doc = nullptr;
  ASSERT_TRUE(mongoc_cursor_next(cursor, &doc));
  bson_iter_t iter;
  ASSERT_TRUE(bson_iter_init_find(&iter, doc, "_id"));
  EXPECT_TRUE(BSON_ITER_HOLDS_OID(&iter));
  char hex[25];
  bson_oid_to_string(bson_iter_oid(&iter), hex);
  EXPECT_EQ(std::string(hex), created.id);
  ASSERT_TRUE(bson_iter_init_find(&iter, doc, "name"));
  EXPECT_TRUE(BSON_ITER_HOLDS_UTF8(&iter));  // the operator-looking name is plain text
  EXPECT_STREQ(bson_iter_utf8(&iter, nullptr), "{\"$gt\":\"\"}");
  ASSERT_TRUE(bson_iter_init_find(&iter, doc, "createdAt"));
  ASSERT_TRUE(BSON_ITER_HOLDS_DATE_TIME(&iter));
  EXPECT_EQ(bson_iter_date_time(&iter), created.created_at_ms);
  EXPECT_FALSE(mongoc_cursor_next(cursor, &doc));
  mongoc_cursor_destroy(cursor);
  bson_destroy(&filter);
  mongoc_collection_destroy(collection);
  mongoc_client_destroy(client);
}

}  // namespace
}  // namespace cppapp::store
