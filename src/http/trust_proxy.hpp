// Trust-proxy stage: Express's `app.set('trust proxy', true)`.
// cppapp always sits behind Docker Flow Proxy (HAProxy), so the forwarded headers are believed.
#pragma once

#include <string_view>

#include "http/message.hpp"

namespace cppapp::http {

/// Sets request.client_ip, protocol and host from X-Forwarded-For/-Proto/-Host, falling back to
/// the socket's peer address, "http" and the Host header, as Express does with trust proxy true.
void apply_trust_proxy(Request& request, std::string_view peer_address);

/// The last X-Forwarded-For entry (over every X-Forwarded-For field), else the peer address.
std::string nearest_client_ip(const Headers& headers, std::string_view peer_address);

/// The client address Express's req.ip gives with trust proxy true: the leftmost
/// X-Forwarded-For entry, else the peer address.
std::string trusted_client_ip(const Headers& headers, std::string_view peer_address);

}  // namespace cppapp::http
