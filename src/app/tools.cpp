#include "app/tools.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "http/body_parser.hpp"
#include "http/urlencoded.hpp"
#include "view/html_minifier.hpp"
#include "view/template_engine.hpp"

namespace cppapp::app {

namespace fs = std::filesystem;

namespace {

std::string read_stream(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int render_tool(int argc, const char* const* argv) {
  std::string name, views, context_text = "{}";
  CLI::App cli{"Renders a template with cppapp's Nunjucks-compatible engine and prints the bytes."};
  cli.add_option("template", name, "Template name under --views (or a path to a template file)")
      ->required();
  cli.add_option("--views", views,
                 "Template directory (default: the template file's directory, or VIEWS_DIR)");
  cli.add_option("--context", context_text, "Context as JSON, or @FILE to read it from a file");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  if (!context_text.empty() && context_text.front() == '@') {
    std::ifstream file(context_text.substr(1), std::ios::binary);
    if (!file) {
      std::cerr << "cppapp render: cannot read context file " << context_text.substr(1) << "\n";
      return 2;
    }
    context_text = read_stream(file);
  }
  boost::system::error_code ec;
  boost::json::value context = boost::json::parse(context_text, ec);
  if (ec || !context.is_object()) {
    std::cerr << "cppapp render: --context must be a JSON object" << (ec ? ": " + ec.message() : "")
              << "\n";
    return 2;
  }
  if (views.empty()) {
    std::error_code fs_error;
    if (fs::is_regular_file(name, fs_error)) {
      const fs::path path = fs::absolute(name);
      views = path.parent_path().string();
      name = path.filename().string();
    } else if (const char* env = std::getenv("VIEWS_DIR")) {
      views = env;
    } else {
      views = ".";
    }
  }
  try {
    view::TemplateEngine engine({.views_dir = views, .reload_on_change = false});
    std::cout << engine.render(name, context.as_object());
    std::cout.flush();
    return 0;
  } catch (const view::TemplateError& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
}

int minify_tool(int argc, const char* const* argv) {
  CLI::App cli{"Minifies the HTML on standard input with the seed's html-minifier options."};
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  std::cout << view::minify_html(read_stream(std::cin));
  std::cout.flush();
  return 0;
}

/// The urlencoded body parser on standard input, printed as JSON: the conformance harness
/// compares it with body-parser's qs. Errors print body-parser's status and message.
int urlencoded_tool(int argc, const char* const* argv) {
  http::QsOptions options;
  CLI::App cli{
      "Parses the application/x-www-form-urlencoded body on standard input as body-parser "
      "(extended) does and prints it as JSON."};
  cli.add_option("--depth", options.depth, "Maximum nesting depth")->capture_default_str();
  cli.add_option("--parameter-limit", options.parameter_limit, "Maximum number of parameters")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  try {
    const boost::json::object parsed =
        http::parse_urlencoded(http::decode_utf8_body(read_stream(std::cin)), options);
    std::cout << boost::json::serialize(parsed) << "\n";
    std::cout.flush();
    return 0;
  } catch (const http::BodyError& error) {
    std::cerr << error.status << " " << error.what() << "\n";
    return 1;
  }
}

/// GET /healthz over a plain socket: the Docker HEALTHCHECK, with no curl in the image.
int healthcheck_tool(int argc, const char* const* argv) {
  std::string host = "127.0.0.1", port = "8080";
  if (const char* env = std::getenv("PORT"); env && *env) port = env;
  CLI::App cli{"Asks a running cppapp for GET /healthz; exits 0 when it answers 200, else 1."};
  cli.add_option("--host", host, "Address to ask")->capture_default_str();
  cli.add_option("--port", port, "Port to ask (default: PORT, else 8080)")->capture_default_str();
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    std::cerr << "healthcheck: cannot resolve " << host << "\n";
    return 1;
  }
  const int fd = socket(found->ai_family, found->ai_socktype, 0);
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  const bool connected = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  if (!connected) {
    std::cerr << "healthcheck: cannot connect to " << host << ":" << port << "\n";
    if (fd >= 0) close(fd);
    return 1;
  }
  const std::string request =
      "GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  std::string answer;
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
      static_cast<ssize_t>(request.size())) {
    char buffer[512];
    ssize_t got = 0;
    while (answer.size() < 64 && (got = recv(fd, buffer, sizeof buffer, 0)) > 0)
      answer.append(buffer, static_cast<std::size_t>(got));
  }
  close(fd);
  const bool healthy = answer.rfind("HTTP/1.1 200 ", 0) == 0;
  if (!healthy)
    std::cerr << "healthcheck: unhealthy answer: " << answer.substr(0, answer.find('\r')) << "\n";
  return healthy ? 0 : 1;
}

}  // namespace

int run_tool(int argc, const char* const* argv) {
  if (argc < 2) return -1;
  const std::string_view tool = argv[1];
  if (tool == "render") return render_tool(argc - 1, argv + 1);
  if (tool == "minify") return minify_tool(argc - 1, argv + 1);
  if (tool == "urlencoded") return urlencoded_tool(argc - 1, argv + 1);
  if (tool == "healthcheck") return healthcheck_tool(argc - 1, argv + 1);
  return -1;
}

}  // namespace cppapp::app
