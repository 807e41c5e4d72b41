#include "http/error_page.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace cppapp::http {

namespace {

bool allowed_in_url(unsigned char c) {
  // encodeurl's set: ! # $ % & ' ( ) * + , - . / 0-9 : ; = ? @ A-Z [ \ ] ^ _ a-z | ~
  return c == 0x21 || (c >= 0x23 && c <= 0x3B) || c == 0x3D || (c >= 0x3F && c <= 0x5F) ||
         (c >= 0x61 && c <= 0x7A) || c == 0x7C || c == 0x7E;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// finalhandler's document, byte for byte: the message escaped, newlines as <br>, double
/// spaces as " &nbsp;".
std::string finalhandler_document(std::string_view message) {
  const std::string escaped = escape_html_express(message);
  std::string body;
  body.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '\n') {
      body += "<br>";
    } else if (escaped[i] == ' ' && i + 1 < escaped.size() && escaped[i + 1] == ' ') {
      body += " &nbsp;";
      ++i;
    } else {
      body += escaped[i];
    }
  }
  return html_document("Error", body);
}

}  // namespace

std::string escape_html_express(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html_document(std::string_view title, std::string_view body) {
  std::string doc =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  doc += title;
  doc += "</title>\n</head>\n<body>\n<pre>";
  doc += body;
  doc += "</pre>\n</body>\n</html>\n";
  return doc;
}

std::string encode_url(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(url.size());
  for (std::size_t i = 0; i < url.size(); ++i) {
    const auto c = static_cast<unsigned char>(url[i]);
    const bool valid_escape =
        c == '%' && i + 2 < url.size() && is_hex(url[i + 1]) && is_hex(url[i + 2]);
    if ((allowed_in_url(c) && c != '%') || valid_escape) {
      out += static_cast<char>(c);
      continue;
    }
    // Node reads a raw request-target as Latin-1: a byte >= 0x80 is that character, which
    // encodeURI escapes as its UTF-8 bytes.
    const unsigned char utf8[2] = {static_cast<unsigned char>(0xC0 | (c >> 6)),
                                   static_cast<unsigned char>(0x80 | (c & 0x3F))};
    for (std::size_t k = 0; k < (c < 0x80 ? 1u : 2u); ++k) {
      const unsigned char b = c < 0x80 ? c : utf8[k];
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

bool wants_json(const Request& request) {
  const std::string_view content_type = request.headers.value_or_empty("Content-Type");
  const std::string_view accept = request.headers.value_or_empty("Accept");
  if (content_type.find("json") != std::string_view::npos) return true;
  if (accept.find("application/json") != std::string_view::npos &&
      accept.find("text/html") == std::string_view::npos)
    return true;
  return request.app_path.rfind("/api/", 0) == 0;
}

Response error_response(const Request& request, unsigned status, std::string_view code,
                        std::string_view message) {
  Response response;
  response.status = status;
  if (wants_json(request)) {
    boost::json::value error = {{"error", {{"code", code}, {"message", message}}}};
    response.body = boost::json::serialize(error);
    response.headers.set("Content-Type", "application/json; charset=utf-8");
  } else {
    response.body = finalhandler_document(message);
    response.headers.set("Content-Type", "text/html; charset=utf-8");
  }
  return response;
}

Response not_found(const Request& request) {
  Response response;
  response.status = 404;
  response.body =
      finalhandler_document("Cannot " + request.method + " " + encode_url(request.path));
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  return response;
}

}  // namespace cppapp::http
