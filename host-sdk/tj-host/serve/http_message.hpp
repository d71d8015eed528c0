// A request and a response as plain values: what the Beast server (http_server.cpp) hands to
// `tj-host serve`'s routes and gets back, so that everything above the socket is testable
// without one.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tjhost {

struct HttpRequest {
    std::string method;                                        // "GET", "POST", ...
    std::string target;                                        // path and query, as received
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string client;  // the peer's address, for the rate limit

    // The first header of that (lower-case) name, or "".
    [[nodiscard]] std::string header(std::string_view lower_name) const {
        for (const auto& [k, v] : headers) {
            if (k == lower_name) {
                return v;
            }
        }
        return {};
    }
    [[nodiscard]] bool has_header(std::string_view lower_name) const {
        for (const auto& h : headers) {
            if (h.first == lower_name) {
                return true;
            }
        }
        return false;
    }
};

struct HttpResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  // Content-Type among them
    std::string body;
    bool close = false;  // close the connection after this response

    void set(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
    [[nodiscard]] std::string header(std::string_view name) const {
        for (const auto& [k, v] : headers) {
            if (k.size() == name.size() &&
                std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return (a | 0x20) == (b | 0x20); })) {
                return v;
            }
        }
        return {};
    }
};

}  // namespace tjhost
