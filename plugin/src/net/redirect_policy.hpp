// Which redirects the client follows (pure). Only to the same scheme, host and port: the
// Circle-Token header must never reach another server.
#pragma once

#include "net/http_types.hpp"
#include "tjc/expected.hpp"

#include <string>
#include <string_view>

namespace tjc::net {

inline constexpr int kMaxRedirects = 3;

// True for the statuses that carry a Location to follow (301, 302, 303, 307, 308).
bool is_redirect_status(unsigned status) noexcept;

// Resolves `location` against the request that got it and returns the origin-form target
// to GET next, or an error naming only the refused origin (never the full location: it may
// carry credentials).
Expected<std::string> redirect_target(const Endpoint& server, std::string_view current_target,
                                      std::string_view location);

}  // namespace tjc::net
