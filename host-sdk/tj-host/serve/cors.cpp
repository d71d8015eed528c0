#include "cors.hpp"

namespace tjhost {

CorsPolicy::CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {}

std::vector<std::string> CorsPolicy::default_origins() {
    // The github adapter's site, and the extension itself (its background page calls the
    // server from its own origin, whose id differs per install).
    return {"https://github.com", "chrome-extension://*", "moz-extension://*", "safari-web-extension://*"};
}

bool CorsPolicy::allows(std::string_view origin) const {
    if (origin.empty() || origin == "null") return false;
    for (const auto& o : origins_) {
        if (o.ends_with("://*")) {
            const std::string_view scheme(o.data(), o.size() - 1);  // "chrome-extension://"
            if (origin.size() > scheme.size() && origin.starts_with(scheme) &&
                origin.find_first_of("/?#", scheme.size()) == std::string_view::npos)
                return true;
        } else if (o == origin) {
            return true;
        }
    }
    return false;
}

std::vector<std::pair<std::string, std::string>> CorsPolicy::response_headers(std::string_view origin) const {
    std::vector<std::pair<std::string, std::string>> h;
    // Vary on every response: a cache must not serve one origin's answer to another.
    h.emplace_back("Vary", "Origin");
    if (allows(origin)) h.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    return h;
}

std::vector<std::pair<std::string, std::string>> CorsPolicy::preflight_headers(std::string_view origin) const {
    if (!allows(origin)) return {};
    return {{"Access-Control-Allow-Origin", std::string(origin)},
            {"Vary", "Origin"},
            {"Access-Control-Allow-Methods", "GET, POST, OPTIONS"},
            {"Access-Control-Allow-Headers", "Authorization, Content-Type"},
            {"Access-Control-Max-Age", "600"}};
}

}  // namespace tjhost
