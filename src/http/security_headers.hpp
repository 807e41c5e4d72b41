// Security-headers stage: helmet 8's defaults, on every response (pages, errors, static files).
#pragma once

#include <string>
#include <vector>

#include "http/message.hpp"

namespace cppapp::http {

/// The headers helmet 8 sets by default, in helmet's order. This is the one place to change them.
const std::vector<Headers::Field>& default_security_headers();

/// Sets every security header on the response (replacing any earlier value of the same name)
/// and removes X-Powered-By, as helmet does.
void apply_security_headers(Headers& headers,
                            const std::vector<Headers::Field>& policy = default_security_headers());

}  // namespace cppapp::http
