// The pipeline without a socket: Application::handle on the object graph src/main.cpp serves
// (app/service.cpp), with hand-built requests.
#include "app/application.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "app/service.hpp"

namespace cppapp::app {
namespace {

class ApplicationTest : public ::testing::Test {
 protected:
  ApplicationTest() {
    data_dir_ = std::filesystem::path(::testing::TempDir()) /
                ("cppapp-application-test-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(data_dir_);
    std::filesystem::create_directories(data_dir_);
    Config config;
    config.views_dir = CPPAPP_TEST_DATA_DIR "/../../views";
    config.public_dir = CPPAPP_TEST_DATA_DIR "/../../public";
    config.data_dir = data_dir_;
    config.workers = 1;
    service_ = std::make_unique<Service>(config);
  }
  ~ApplicationTest() override {
    service_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  Application& app() { return service_->application(); }

  /// The answer to `request`: the one handle() returns, else the one the database work
  /// delivers later.
  http::Response answer(http::Request request) {
    Answer answer = app().handle(std::move(request), "127.0.0.1");
    if (auto* now = std::get_if<http::Response>(&answer)) return std::move(*now);
    std::promise<http::Response> later;
    std::future<http::Response> delivered = later.get_future();
    auto slot = std::get<std::shared_ptr<AnswerSlot>>(std::move(answer));
    if (auto ready = slot->take_or_wait(
            [&later](http::Response response) { later.set_value(std::move(response)); })) {
      return std::move(*ready);
    }
    return delivered.get();
  }

  http::Response answer(std::string method, std::string target, std::string body = {},
                        std::string_view content_type = {}) {
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.headers.set("Host", "localhost");
    if (!content_type.empty()) {
      request.headers.set("Content-Type", content_type);
      request.headers.set("Content-Length", std::to_string(body.size()));
    }
    request.body = std::move(body);
    request.id = "test";
    return answer(std::move(request));
  }

 private:
  std::filesystem::path data_dir_;
  std::unique_ptr<Service> service_;
};

TEST_F(ApplicationTest, TheProbesComeBeforeTheMount) {
  const http::Response health = answer("GET", "/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(health.route, "healthz");
  EXPECT_EQ(answer("HEAD", "/healthz").route, "healthz");
  // Only under the mount: the same path below it is the app's (and it has no such route).
  EXPECT_EQ(answer("GET", "/app1/healthz").route, "not_found");
}

TEST_F(ApplicationTest, ReadyzAnswers503WhileDraining) {
  app().begin_draining();
  const http::Response ready = answer("GET", "/readyz");
  EXPECT_EQ(ready.status, 503u);
  EXPECT_EQ(ready.body, "draining\n");
  EXPECT_EQ(ready.route, "readyz");
}

TEST_F(ApplicationTest, OutsideTheMountIs404) {
  const http::Response response = answer("GET", "/elsewhere");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.route, "not_found");
}

TEST_F(ApplicationTest, TheMountMatchesCaseInsensitivelyWithOrWithoutTheSlash) {
  for (const char* target : {"/app1/", "/APP1/", "/app1"}) {
    const http::Response page = answer("GET", target);
    EXPECT_EQ(page.status, 200u) << target;
    EXPECT_EQ(page.route, "/") << target;
  }
}

TEST_F(ApplicationTest, StaticFilesComeBeforeTheRoutesAndAMissFallsThrough) {
  const http::Response file = answer("GET", "/app1/public/robots.txt");
  EXPECT_EQ(file.status, 200u);
  EXPECT_EQ(file.route, "static");
  EXPECT_TRUE(file.file.has_value());
  const http::Response missing = answer("GET", "/app1/public/nothing-here.txt");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.route, "not_found");
}

TEST_F(ApplicationTest, OptionsListsTheMethodsOfEveryMatchingRoute) {
  const http::Response options = answer("OPTIONS", "/app1/guestbook");
  EXPECT_EQ(options.status, 200u);
  EXPECT_EQ(options.route, "options");
  EXPECT_EQ(options.headers.value_or_empty("Allow"), "GET,HEAD,POST");
  EXPECT_EQ(options.body, "GET,HEAD,POST");
  // A path no route has: 404, as Express.
  EXPECT_EQ(answer("OPTIONS", "/app1/nowhere").status, 404u);
}

TEST_F(ApplicationTest, AMethodNoRouteTakesIs404) {
  const http::Response response = answer("DELETE", "/app1/guestbook");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.route, "not_found");
}

TEST_F(ApplicationTest, TheBodyIsParsedBeforeTheRoutes) {
  const http::Response malformed = answer("POST", "/app1/api/entries", "{", "application/json");
  EXPECT_EQ(malformed.status, 400u);
  EXPECT_EQ(malformed.route, "body_error");
  // Even where no route would take the request: the parsers run first, as in Express.
  EXPECT_EQ(answer("POST", "/app1/nowhere", "{", "application/json").route, "body_error");
}

TEST_F(ApplicationTest, DatabaseWorkAnswersLater) {
  const http::Response created = answer("POST", "/app1/api/entries",
                                        R"({"name":"Ada","message":"hello"})", "application/json");
  EXPECT_EQ(created.status, 201u);
  EXPECT_EQ(created.route, "/api/entries");
  const http::Response listed = answer("GET", "/app1/api/entries");
  EXPECT_EQ(listed.status, 200u);
  EXPECT_NE(listed.body.find("hello"), std::string::npos);
}

TEST_F(ApplicationTest, FinishAddsTheSecurityHeadersAndCompression) {
  http::Request request;
  request.method = "GET";
  request.target = "/app1/api/openapi.json";
  request.headers.set("Host", "localhost");
  request.headers.set("Accept-Encoding", "gzip");
  const http::Response compressed = answer(std::move(request));
  EXPECT_EQ(compressed.status, 200u);
  EXPECT_NE(compressed.header_block.find("X-Content-Type-Options: nosniff\r\n"),
            std::string_view::npos);
  EXPECT_EQ(compressed.headers.value_or_empty("Content-Encoding"), "gzip");
  EXPECT_NE(compressed.headers.value_or_empty("Vary").find("Accept-Encoding"),
            std::string_view::npos);
  // Every answer, errors and late ones too.
  EXPECT_NE(answer("GET", "/elsewhere").header_block.find("Content-Security-Policy: "),
            std::string_view::npos);
  EXPECT_NE(answer("GET", "/app1/api/entries").header_block.find("X-Frame-Options: SAMEORIGIN"),
            std::string_view::npos);
}

TEST_F(ApplicationTest, ProtocolErrorsAreFinishedToo) {
  const http::Response refusal = app().protocol_error(400, "bad_request", "Bad Request: test");
  EXPECT_EQ(refusal.status, 400u);
  EXPECT_EQ(refusal.route, "protocol_error");
  EXPECT_NE(refusal.header_block.find("X-Content-Type-Options: nosniff\r\n"),
            std::string_view::npos);
}

}  // namespace
}  // namespace cppapp::app
