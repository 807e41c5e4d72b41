#include "server/wire.hpp"

#include <boost/beast/http/status.hpp>
#include <chrono>

#include "http/http_date.hpp"

namespace cppapp::server {

namespace beast_http = boost::beast::http;

namespace {

/// A status whose answer never has a body, nor a Content-Length (RFC 9110 6.4.1, 8.6).
bool status_without_body(unsigned status) {
  return status == 204 || status == 304 || (status >= 100 && status < 200);
}

}  // namespace

bool bodiless(unsigned status, std::string_view method) {
  return method == "HEAD" || status_without_body(status);
}

const std::string& cached_date() {
  thread_local std::string date;
  thread_local std::chrono::system_clock::time_point::rep second = -1;
  const auto now = std::chrono::system_clock::now();
  const auto this_second =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (this_second != second) {
    date = http::http_date(now);
    second = this_second;
  }
  return date;
}

void append_response_lines(std::string& head, const http::Response& response) {
  head += "HTTP/1.1 ";
  head += std::to_string(response.status);
  head += ' ';
  head += beast_http::obsolete_reason(static_cast<beast_http::status>(response.status));
  head += "\r\n";
  // Shared lines first, as Express sends helmet's: its middleware sets them before any route.
  head += response.header_block;
  for (const auto& field : response.headers.fields()) {
    if (http::iequals(field.name, "Content-Length") || http::iequals(field.name, "Connection") ||
        http::iequals(field.name, "Date") || http::iequals(field.name, "Keep-Alive") ||
        http::iequals(field.name, "X-Request-Id")) {
      continue;  // the server owns these
    }
    head += field.name;
    head += ": ";
    head += field.value;
    head += "\r\n";
  }
}

void append_request_lines(std::string& head, std::string_view request_id, unsigned status,
                          std::uint64_t content_length, bool keep_alive,
                          std::chrono::milliseconds keepalive_timeout) {
  if (!request_id.empty()) {
    head += "X-Request-Id: ";
    head += request_id;
    head += "\r\n";
  }
  head += "Date: ";
  head += cached_date();
  head += "\r\n";
  if (!status_without_body(status)) {
    head += "Content-Length: ";
    head += std::to_string(content_length);
    head += "\r\n";
  }
  if (keep_alive) {
    // Node's answer to a keep-alive request, so clients and proxies know the idle limit.
    head += "Connection: keep-alive\r\nKeep-Alive: timeout=";
    head +=
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(keepalive_timeout).count());
    head += "\r\n";
  } else {
    head += "Connection: close\r\n";
  }
  head += "\r\n";
}

std::string serialize_head(const http::Response& response, std::string_view request_id,
                           bool keep_alive, std::chrono::milliseconds keepalive_timeout) {
  std::string head;
  head.reserve(1024);
  append_response_lines(head, response);
  append_request_lines(head, request_id, response.status, response.content_length(), keep_alive,
                       keepalive_timeout);
  return head;
}

}  // namespace cppapp::server
