// The command line of `tj-host serve`, parsed (pure; throws std::invalid_argument with a
// message for the user).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tjhost {

struct ServeOptions {
    std::vector<std::string> plugins;
    std::vector<std::string> configs;  // none, one for every plugin, or one per plugin in order
    std::string host;
    std::uint16_t port = 0;
    std::string tls_cert;
    std::string tls_key;
    std::chrono::milliseconds timeout{5000};  // each integration's deadline, as ToolJump
    std::uint32_t rate_limit = 200;           // per client per window (ToolJump: 200 / 15 min)
    std::chrono::seconds rate_window{900};
    std::vector<std::string> cors_origins;    // empty: the defaults (CorsPolicy::default_origins)
    std::chrono::milliseconds read_timeout{10000};
    std::chrono::milliseconds drain_timeout{10000};
    std::size_t max_connections = 512;

    // The config of plugin i ("" = defaults).
    [[nodiscard]] std::string config_for(std::size_t i) const {
        if (configs.empty()) return {};
        return configs.size() == 1 ? configs[0] : configs[i];
    }
};

// args: what follows "serve" on the command line.
ServeOptions parse_serve_args(const std::vector<std::string>& args);

extern const char* const kServeUsage;

}  // namespace tjhost
