// Checks an untrusted guestbook submission (JSON or form body) before it reaches a store.
#pragma once

#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>

#include "store/store.hpp"

namespace cppapp::store {

/// Longest name and message, in Unicode code points.
inline constexpr std::size_t max_name_length = 64;
inline constexpr std::size_t max_message_length = 500;

/// Either a clean entry or, per field ("name", "message", "body"), what the user must fix.
struct ValidationResult {
  std::optional<NewEntry> entry;
  std::map<std::string, std::string> field_errors;
};

/// Validates a parsed body: an object whose "name" and "message" are strings of valid UTF-8,
/// trimmed (JS String.prototype.trim's whitespace), free of control characters (message may hold
/// \n, \r, \t), 1-64 and 1-500 code points long. Any key starting with '$', at any depth, rejects
/// the body ("body" error). Other keys are ignored. Never throws for any input.
ValidationResult validate_entry(const boost::json::value& body);

}  // namespace cppapp::store
