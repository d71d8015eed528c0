#include "net/proxy.hpp"

#include "util/ascii.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace tjc::net {

namespace urls = boost::urls;

namespace {

std::string env_or(const char* a, const char* b) {
    if (const char* v = std::getenv(a); v && *v) {
        return v;
    }
    if (const char* v = std::getenv(b); v && *v) {
        return v;
    }
    return {};
}

bool ends_with_label(std::string_view host, std::string_view domain) {
    if (host == domain) {
        return true;
    }
    return host.size() > domain.size() && host.substr(host.size() - domain.size()) == domain &&
           host[host.size() - domain.size() - 1] == '.';
}

}  // namespace

ProxyEnv proxy_env_from_process() { return {env_or("https_proxy", "HTTPS_PROXY"), env_or("no_proxy", "NO_PROXY")}; }

bool is_loopback_host(std::string_view host_in) {
    const std::string host = ascii_lower(host_in);
    if (host == "localhost" || host == "::1" || host == "[::1]") {
        return true;
    }
    if (host.size() > 10 && host.substr(host.size() - 10) == ".localhost") {
        return true;
    }
    auto v4 = urls::parse_ipv4_address(host);
    return v4 && (v4->to_uint() >> 24) == 127;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host_in, std::uint16_t port) {
    const std::string host = ascii_lower(host_in);
    std::size_t i = 0;
    while (i < no_proxy.size()) {
        const auto end = no_proxy.find_first_of(", \t", i);
        std::string entry = ascii_lower(no_proxy.substr(i, end == std::string_view::npos ? no_proxy.npos : end - i));
        i = end == std::string_view::npos ? no_proxy.size() : end + 1;
        if (entry.empty()) {
            continue;
        }
        if (entry == "*") {
            return true;
        }
        // An optional port: "host:443", "[::1]:443". A bare IPv6 has several colons: no port.
        std::optional<std::uint16_t> entry_port;
        if (entry.front() == '[') {
            const auto close = entry.find(']');
            if (close == std::string::npos) {
                continue;
            }
            if (close + 1 < entry.size() && entry[close + 1] == ':') {
                entry_port = static_cast<std::uint16_t>(std::atoi(entry.c_str() + close + 2));
            }
            entry = entry.substr(1, close - 1);
        } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
            const auto colon = entry.find(':');
            entry_port = static_cast<std::uint16_t>(std::atoi(entry.c_str() + colon + 1));
            entry.resize(colon);
        }
        if (entry_port && *entry_port != port) {
            continue;
        }
        if (entry.rfind("*.", 0) == 0) {
            entry.erase(0, 1);
        }
        if (!entry.empty() && entry.front() == '.') {
            entry.erase(0, 1);
        }
        if (entry.empty()) {
            continue;
        }
        if (ends_with_label(host, entry)) {
            return true;
        }
    }
    return false;
}

Expected<std::optional<ProxyRoute>> choose_proxy(std::string_view configured, const ProxyEnv& env,
                                                 std::string_view target_host, std::uint16_t target_port) {
    const std::string_view raw = configured.empty() ? std::string_view(env.https_proxy) : configured;
    if (raw.empty()) {
        return std::optional<ProxyRoute>{};
    }
    if (no_proxy_matches(env.no_proxy, target_host, target_port)) {
        return std::optional<ProxyRoute>{};
    }
    if (configured.empty() && is_loopback_host(target_host)) {
        return std::optional<ProxyRoute>{};
    }

    std::string text(raw);
    if (text.find("://") == std::string::npos) {
        text.insert(0, "http://");
    }
    auto parsed = urls::parse_absolute_uri(text);
    if (!parsed) {
        return Error{"proxy URL is not a URL: " + std::string(raw)};
    }
    const auto& u = *parsed;
    if (u.scheme_id() != urls::scheme::http) {
        return Error{"proxy URL scheme '" + std::string(u.scheme()) + "' is not supported (use http://host:port)"};
    }
    ProxyRoute route;
    route.host = u.host_type() == urls::host_type::ipv6 ? std::string(u.encoded_host_address()) : std::string(u.host());
    if (route.host.empty()) {
        return Error{"proxy URL has no host"};
    }
    if (u.has_port()) {
        route.port = u.port_number();
    }
    if (u.has_userinfo()) {
        route.user_pass = std::string(u.userinfo());
    }
    return std::optional<ProxyRoute>{std::move(route)};
}

}  // namespace tjc::net
