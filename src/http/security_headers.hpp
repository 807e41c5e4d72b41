// Security-headers stage: helmet 8's defaults, on every response (pages, errors, static files).
#pragma once

#include <string>
#include <vector>

#include "http/message.hpp"

namespace cppapp::http {

/// The headers helmet 8 sets by default, in helmet's order. This is the one place to change them.
const std::vector<Headers::Field>& default_security_headers();

/// The same headers as wire text ("Name: value\r\n" each), built once: a response carries a
/// view of it instead of twelve fields of its own (24 strings per answer otherwise).
const std::string& security_header_block();

/// Gives the response every security header (replacing any field of the same name a handler
/// set) and removes X-Powered-By, as helmet does.
void apply_security_headers(Response& response);

}  // namespace cppapp::http
