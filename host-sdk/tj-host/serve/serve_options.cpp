#include "serve_options.hpp"

#include "custom_domains.hpp"
#include "redis/redis_url.hpp"

#include <charconv>
#include <stdexcept>

namespace tjhost {

namespace {

std::uint64_t number(const std::string& flag, const std::string& v, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size() || n < lo || n > hi) {
        throw std::invalid_argument("--" + flag + " must be a number in " + std::to_string(lo) + ".." +
                                    std::to_string(hi));
    }
    return n;
}

}  // namespace

void parse_listen(const std::string& value, ServeOptions& o) {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        throw std::invalid_argument("--listen must be HOST:PORT (e.g. 127.0.0.1:8787, [::1]:8787)");
    }
    o.host = value.substr(0, colon);
    if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') {
        o.host = o.host.substr(1, o.host.size() - 2);
    }
    o.port = static_cast<std::uint16_t>(number("listen's port", value.substr(colon + 1), 0, 65535));
}

void parse_rate_limit(const std::string& value, ServeOptions& o) {
    const auto slash = value.find('/');
    if (slash == std::string::npos) {
        throw std::invalid_argument("--rate-limit must be N/SECONDS (e.g. 200/900; 0/1 turns it off)");
    }
    o.rate_limit = static_cast<std::uint32_t>(number("rate-limit", value.substr(0, slash), 0, 1000000000));
    o.rate_window = std::chrono::seconds(number("rate-limit", value.substr(slash + 1), 1, 86400 * 30));
}

void add_custom_domain(const std::string& value, ServeOptions& o) {
    o.custom_domains.push_back(normalize_custom_domain(value));
}

void check_serve_options(const ServeOptions& o) {
    if (o.configs.size() > 1 && o.configs.size() != o.plugins.size()) {
        throw std::invalid_argument("give one --config for every plugin, or one per --plugin (" +
                                    std::to_string(o.plugins.size()) + ")");
    }
    if (!o.redis.empty()) {
        (void)redis::parse_redis_url(o.redis);
    }
}

}  // namespace tjhost
