// `--redis redis://HOST:PORT[/DB]` as plain values (Boost.URL parses it). No user or password
// in the URL: the password comes from TOOLJUMP_REDIS_PASSWORD, so it is not in `ps` output.
#pragma once

#include <cstdint>
#include <string>

namespace tjhost::redis {

struct Endpoint {
    std::string host;
    std::uint16_t port = 6379;
    unsigned db = 0;
};

// Throws std::invalid_argument with a message for the user.
Endpoint parse_redis_url(const std::string& url);

}  // namespace tjhost::redis
