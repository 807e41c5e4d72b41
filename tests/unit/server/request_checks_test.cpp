// The connection's request checks (server/request_checks.cpp) on heads and bodies fed to a
// RequestReader, answered by the Application src/main.cpp serves (app/service.cpp).
#include "server/request_checks.hpp"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "app/application.hpp"
#include "app/service.hpp"

namespace cppapp::server {
namespace {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

constexpr ServerOptions kOptions{.header_limit = 256, .uri_limit = 64, .body_limit = 16};

class RequestChecksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = std::filesystem::path(::testing::TempDir()) /
                ("cppapp-request-checks-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(data_dir_);
    app::Config config;
    config.views_dir = CPPAPP_TEST_DATA_DIR "/../../views";
    config.public_dir = CPPAPP_TEST_DATA_DIR "/../../public";
    config.data_dir = data_dir_;
    config.workers = 1;
    service_ = new app::Service(config);
  }
  static void TearDownTestSuite() {
    delete service_;
    std::filesystem::remove_all(data_dir_);
  }

  static const app::Application& app() { return service_->application(); }

  /// Feeds `input` as the head; the check's verdict, and the read's error in `ec`.
  std::optional<http::Response> head(std::string_view input, beast::error_code& ec) {
    reader_ = std::make_unique<RequestReader>(kOptions.header_limit, kOptions.body_limit);
    used_ = reader_->feed(boost::asio::buffer(input.data(), input.size()), ec);
    return refuse_head(ec, *reader_, kOptions, app());
  }
  std::optional<http::Response> head(std::string_view input) {
    beast::error_code ec;
    return head(input, ec);
  }

  /// Feeds `input`, head then body (the client then closes), and checks the body.
  std::optional<http::Response> body(std::string_view input, beast::error_code& ec) {
    EXPECT_FALSE(head(input, ec)) << input;
    reader_->start_body();
    input.remove_prefix(used_);
    reader_->feed(boost::asio::buffer(input.data(), input.size()), ec);
    if (ec == beast_http::error::need_more || (!ec && !reader_->done())) {
      ec = {};
      reader_->feed_eof(ec);
    }
    return refuse_body(ec, *reader_, kOptions, app());
  }

  static inline std::filesystem::path data_dir_;
  static inline app::Service* service_ = nullptr;
  std::unique_ptr<RequestReader> reader_;
  std::size_t used_ = 0;
};

TEST_F(RequestChecksTest, AnAcceptableHeadGoesOn) {
  beast::error_code ec;
  EXPECT_FALSE(head("POST /app1/api/entries HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n", ec));
  EXPECT_FALSE(ec);
}

TEST_F(RequestChecksTest, ATargetOverTheUriLimitIs414) {
  // (append, not "/" + std::string: GCC 12 at -O2 warns -Wrestrict, wrongly, on that form.)
  const std::string target = std::string("/").append(kOptions.uri_limit, 'a');
  const auto refusal = head("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 414u);
  EXPECT_EQ(refusal->route, "protocol_error");
}

TEST_F(RequestChecksTest, ARequestLineOverTheHeaderLimitIs414) {
  const auto refusal =
      head("GET /" + std::string(kOptions.header_limit, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 414u);
}

TEST_F(RequestChecksTest, HeadersOverTheHeaderLimitAre431) {
  const auto refusal =
      head("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(kOptions.header_limit, 'a') +
           "\r\n\r\n");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 431u);
}

TEST_F(RequestChecksTest, AnAnnouncedBodyOverTheLimitIs413BeforeAnyOfItIsRead) {
  const auto refusal = head("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n\r\n");
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 413u);
}

TEST_F(RequestChecksTest, AmbiguousFramingIsRefused) {
  const auto both =
      head("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n");
  ASSERT_TRUE(both);
  EXPECT_EQ(both->status, 400u);
  const auto unknown_coding =
      head("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
  ASSERT_TRUE(unknown_coding);
  EXPECT_EQ(unknown_coding->status, 501u);
  const auto expect = head("POST / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n");
  ASSERT_TRUE(expect);
  EXPECT_EQ(expect->status, 417u);
}

TEST_F(RequestChecksTest, AMalformedHeadIs400) {
  beast::error_code ec;
  const auto refusal = head("G(T / HTTP/1.1\r\n\r\n", ec);
  EXPECT_TRUE(ec);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 400u);
}

TEST_F(RequestChecksTest, AClientThatLeftOrWasTooSlowGetsNoAnswer) {
  RequestReader reader(kOptions.header_limit, kOptions.body_limit);
  for (const beast::error_code ec : {beast::error_code(beast::error::timeout),
                                     beast::error_code(beast_http::error::end_of_stream),
                                     beast::error_code(beast_http::error::partial_message),
                                     beast::error_code(boost::asio::error::connection_reset)}) {
    EXPECT_FALSE(refuse_head(ec, reader, kOptions, app())) << ec.message();
    EXPECT_FALSE(refuse_body(ec, reader, kOptions, app())) << ec.message();
  }
}

TEST_F(RequestChecksTest, AWholeBodyGoesOn) {
  beast::error_code ec;
  EXPECT_FALSE(body("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}", ec));
  EXPECT_FALSE(ec);
  EXPECT_TRUE(reader_->done());
}

TEST_F(RequestChecksTest, AChunkedBodyOverTheLimitIs413) {
  beast::error_code ec;
  const auto refusal =
      body("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n" +
               std::string(17, 'a') + "\r\n0\r\n\r\n",
           ec);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 413u);
}

TEST_F(RequestChecksTest, TrailersOverWhatTheHeadLeftAre431) {
  beast::error_code ec;
  const auto refusal =
      body("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " +
               std::string(kOptions.header_limit, 'a') + "\r\n\r\n",
           ec);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->status, 431u);
  EXPECT_NE(refusal->body.find("trailer"), std::string::npos);
}

TEST_F(RequestChecksTest, ABodyCutShortGetsNoAnswer) {
  beast::error_code ec;
  EXPECT_FALSE(body("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\n{}", ec));
  EXPECT_EQ(ec, beast_http::error::partial_message);
}

}  // namespace
}  // namespace cppapp::server
