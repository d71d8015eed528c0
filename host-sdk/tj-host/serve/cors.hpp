// CORS for `tj-host serve`: which origins may call it from a browser, and the headers that
// say so. An allowed origin is echoed back (with Vary: Origin); any other origin gets no CORS
// header at all, so the browser refuses to hand it the answer.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tjhost {

class CorsPolicy {
public:
    // Entries are exact origins ("https://github.com") or a scheme with a wildcard
    // ("chrome-extension://*": any extension id of that browser).
    explicit CorsPolicy(std::vector<std::string> origins);
    static std::vector<std::string> default_origins();

    [[nodiscard]] bool allows(std::string_view origin) const;
    // Headers for a normal response to a request with this Origin ("" = none sent).
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> response_headers(std::string_view origin) const;
    // Headers for an OPTIONS preflight; empty when the origin is not allowed.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> preflight_headers(std::string_view origin) const;

private:
    std::vector<std::string> origins_;
};

}  // namespace tjhost
