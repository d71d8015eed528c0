#include "cors.hpp"

namespace tjhost {

namespace {

// "https://x.y" matches "https://*.y": the scheme, then a host (no path) ending with ".y".
bool matches_entry(std::string_view entry, std::string_view origin) {
    const auto star = entry.find("://*");
    if (star == std::string_view::npos) {
        return entry == origin;
    }
    const std::string_view scheme = entry.substr(0, star + 3);  // "chrome-extension://"
    const std::string_view suffix = entry.substr(star + 4);     // "" or ".console.aws.amazon.com"
    if (origin.size() <= scheme.size() + suffix.size() || !origin.starts_with(scheme) || !origin.ends_with(suffix)) {
        return false;
    }
    return origin.find_first_of("/?#@", scheme.size()) == std::string_view::npos;
}

HeaderList preflight(std::string_view origin, bool private_network) {
    HeaderList h{{"Access-Control-Allow-Origin", std::string(origin)},
                 {"Vary", "Origin"},
                 {"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
                 {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
                 {"Access-Control-Max-Age", "600"}};
    if (private_network) {
        h.emplace_back("Access-Control-Allow-Private-Network", "true");
    }
    return h;
}

}  // namespace

CorsPolicy::CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {}

std::vector<std::string> CorsPolicy::default_origins(bool github, bool aws) {
    std::vector<std::string> o;
    if (github) {
        o.emplace_back("https://github.com");
    }
    if (aws) {
        o.emplace_back("https://console.aws.com");
        o.emplace_back("https://*.console.aws.amazon.com");
    }
    // The extension itself: its background page calls from its own origin, whose id differs per install.
    for (const char* e : {"chrome-extension://*", "moz-extension://*", "safari-web-extension://*"}) {
        o.emplace_back(e);
    }
    return o;
}

void CorsPolicy::set_custom_domains(std::vector<std::string> hosts) {
    std::vector<std::string> origins;
    origins.reserve(hosts.size());
    for (auto& h : hosts) {
        origins.push_back("https://" + h);
    }
    tjc::MutexLock lock(mutex_);
    custom_origins_ = std::move(origins);
}

bool CorsPolicy::allows(std::string_view origin) const {
    if (origin.empty() || origin == "null") {
        return false;
    }
    for (const auto& o : origins_) {
        if (matches_entry(o, origin)) {
            return true;
        }
    }
    tjc::MutexLock lock(mutex_);
    for (const auto& o : custom_origins_) {
        if (o == origin) {
            return true;
        }
    }
    return false;
}

HeaderList CorsPolicy::response_headers(std::string_view origin) const {
    HeaderList h;
    // Vary on every response: a cache must not serve one origin's answer to another.
    h.emplace_back("Vary", "Origin");
    if (allows(origin)) {
        h.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    }
    return h;
}

HeaderList CorsPolicy::preflight_headers(std::string_view origin, bool private_network) const {
    if (!allows(origin)) {
        return {};
    }
    return preflight(origin, private_network);
}

HeaderList CorsPolicy::public_headers(std::string_view origin) {
    HeaderList h{{"Vary", "Origin"}};
    if (!origin.empty()) {
        h.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    }
    return h;
}

HeaderList CorsPolicy::public_preflight_headers(std::string_view origin, bool private_network) {
    if (origin.empty()) {
        return {};
    }
    return preflight(origin, private_network);
}

}  // namespace tjhost
