#include "redis/redis_url.hpp"

#include <boost/url/parse.hpp>

#include <charconv>
#include <stdexcept>

namespace tjhost::redis {

Endpoint parse_redis_url(const std::string& text) {
    const std::string usage = "--redis must be redis://HOST:PORT[/DB] (e.g. redis://127.0.0.1:6379/0)";
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed || parsed->scheme() != "redis" || !parsed->has_authority() || parsed->host().empty()) {
        throw std::invalid_argument(usage);
    }
    if (parsed->has_userinfo()) {
        throw std::invalid_argument("--redis: no user or password in the URL; set TOOLJUMP_REDIS_PASSWORD");
    }
    if (parsed->has_query() || parsed->has_fragment()) {
        throw std::invalid_argument(usage);
    }
    Endpoint e;
    e.host = parsed->host_address();
    if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') {
        e.host = e.host.substr(1, e.host.size() - 2);
    }
    if (parsed->has_port()) {
        const auto p = parsed->port_number();
        if (p == 0) {
            throw std::invalid_argument(usage);
        }
        e.port = p;
    }
    std::string path = parsed->path();
    if (!path.empty() && path != "/") {
        const auto digits = std::string_view(path).substr(1);
        unsigned db = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), db);
        if (ec != std::errc{} || end != digits.data() + digits.size() || db > 15) {
            throw std::invalid_argument("--redis: the database must be a number 0..15 (" + text + ")");
        }
        e.db = db;
    }
    return e;
}

}  // namespace tjhost::redis
