// Fuzz target: a guestbook submission end to end before the store: body-parser (JSON, or
// urlencoded when the first byte is odd), then entry validation, which must never throw and
// must only ever hand the store valid, bounded entries.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/body_parser.hpp"
#include "store/entry_validation.hpp"

namespace {

/// Code points in valid UTF-8 (validation promises the entry is valid UTF-8).
std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  cppapp::http::Request request;
  request.method = "POST";
  const bool form = (data[0] & 1) != 0;
  request.headers.add("Content-Type",
                      form ? "application/x-www-form-urlencoded" : "application/json");
  request.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  request.headers.add("Content-Length", std::to_string(request.body.size()));
  boost::json::value body;
  try {
    const unsigned kinds = static_cast<unsigned>(cppapp::http::BodyKind::urlencoded) |
                           static_cast<unsigned>(cppapp::http::BodyKind::json);
    body = cppapp::http::parse_body(request, kinds, {});
  } catch (const cppapp::http::BodyError& error) {
    if (error.status < 400 || error.status > 499) std::abort();
    return 0;
  }
  const cppapp::store::ValidationResult result = cppapp::store::validate_entry(body);
  if (result.entry.has_value() == !result.field_errors.empty()) std::abort();  // one or the other
  if (result.entry) {
    const std::size_t name = code_points(result.entry->name);
    const std::size_t message = code_points(result.entry->message);
    if (name < 1 || name > cppapp::store::max_name_length) std::abort();
    if (message < 1 || message > cppapp::store::max_message_length) std::abort();
  }
  return 0;
}
