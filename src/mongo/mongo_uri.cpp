// cppapp's defaults for the MongoDB connection string, added only where the user set nothing,
// so an operator's explicit choice in MONGO_URL always wins.
#include <mongoc/mongoc.h>

#include <memory>
#include <string>

#include "mongo/mongo_store.hpp"
#include "mongo/mongoc_library.hpp"

namespace cppapp::store {
namespace {

struct UriDeleter {
  void operator()(mongoc_uri_t* uri) const { mongoc_uri_destroy(uri); }
};
using Uri = std::unique_ptr<mongoc_uri_t, UriDeleter>;

constexpr const char* default_database = "nodeapp";

Uri parse(const std::string& text) {
  bson_error_t error;
  Uri uri(mongoc_uri_new_with_error(text.c_str(), &error));
  if (!uri)
    throw StoreError(StoreError::Kind::failed,
                     "invalid MongoDB URI: " + std::string(error.message));
  return uri;
}

bool has_option(const mongoc_uri_t* uri, const char* name) {
  bson_iter_t iter;
  const bson_t* options = mongoc_uri_get_options(uri);
  return options && bson_iter_init_find_case(&iter, options, name);
}

}  // namespace

std::string effective_mongo_uri(const MongoOptions& options) {
  ensure_mongoc_initialized();
  const Uri uri = parse(options.uri);
  std::string result = options.uri;

  // The database is the URI's path: "scheme://hosts/db?options". Hosts never contain a raw '/'
  // (unix socket paths are percent-encoded), so the first '/' after "://" starts the path.
  const std::size_t hosts_start = result.find("://") + 3;
  std::size_t query = result.find('?', hosts_start);
  std::size_t slash = result.find('/', hosts_start);
  if (slash != std::string::npos && query != std::string::npos && slash > query)
    slash = std::string::npos;
  if (!mongoc_uri_get_database(uri.get())) {
    const std::size_t insert_at = query != std::string::npos ? query : result.size();
    const std::string path = slash == std::string::npos ? std::string("/") + default_database
                                                        : std::string(default_database);
    result.insert(insert_at, path);
  }

  auto add = [&result](const std::string& option) {
    if (result.find('?', result.find("://") + 3) == std::string::npos) {
      result += '?';
    } else if (result.back() != '?' && result.back() != '&') {
      result += '&';
    }
    result += option;
  };
  const std::string timeout = std::to_string(options.timeout.count());
  if (!mongoc_uri_get_appname(uri.get())) add("appname=cppapp");
  if (!has_option(uri.get(), MONGOC_URI_SERVERSELECTIONTIMEOUTMS)) {
    add("serverSelectionTimeoutMS=" + timeout);
  }
  if (!has_option(uri.get(), MONGOC_URI_CONNECTTIMEOUTMS)) add("connectTimeoutMS=" + timeout);
  // Without it a server that stops answering (but keeps the socket open) holds a request for
  // libmongoc's default five minutes.
  if (!has_option(uri.get(), MONGOC_URI_SOCKETTIMEOUTMS)) add("socketTimeoutMS=" + timeout);
  if (!has_option(uri.get(), MONGOC_URI_RETRYWRITES)) add("retryWrites=true");
  if (mongoc_uri_get_replica_set(uri.get()) &&
      mongoc_write_concern_get_w(mongoc_uri_get_write_concern(uri.get())) ==
          MONGOC_WRITE_CONCERN_W_DEFAULT) {
    add("w=majority");
  }
  parse(result);  // what we built must still be a URI libmongoc accepts
  return result;
}

}  // namespace cppapp::store
