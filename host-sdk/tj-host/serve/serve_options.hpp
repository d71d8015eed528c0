// What `tj-host serve` is told on its command line, as plain values. The flags themselves are
// defined and parsed in cli/cli.cpp (CLI11); the pieces a flag parser cannot check alone are
// here (pure; each throws std::invalid_argument with a message for the user).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tjhost {

struct ServeOptions {
    std::vector<std::string> plugins;  // paths or installed plugin names
    std::vector<std::string> configs;  // none, one for every plugin, or one per plugin in order
    std::string host;
    std::uint16_t port = 0;
    std::string tls_cert;
    std::string tls_key;
    std::chrono::milliseconds timeout{5000};  // each integration's deadline, as ToolJump
    std::uint32_t rate_limit = 200;           // per client per window (ToolJump: 200 / 15 min)
    std::chrono::seconds rate_window{900};
    std::vector<std::string> cors_origins;  // empty: the defaults (CorsPolicy::default_origins)
    std::chrono::milliseconds read_timeout{10000};
    std::chrono::milliseconds drain_timeout{10000};
    std::size_t max_connections = 512;
    std::string redis;                             // "" = no shared cache; else redis://HOST:PORT[/DB]
    std::chrono::milliseconds redis_timeout{100};  // each Redis call's deadline
    std::vector<std::string> custom_domains;       // --custom-domain, normalized

    // The config of plugin i ("" = defaults).
    [[nodiscard]] std::string config_for(std::size_t i) const {
        if (configs.empty()) {
            return {};
        }
        return configs.size() == 1 ? configs[0] : configs[i];
    }
};

// "HOST:PORT" or "[IPv6]:PORT" into o.host and o.port.
void parse_listen(const std::string& value, ServeOptions& o);
// "N/SECONDS" (e.g. 200/900; 0/1 turns the limit off) into o.rate_limit and o.rate_window.
void parse_rate_limit(const std::string& value, ServeOptions& o);
// --custom-domain HOST (repeatable), normalized (custom_domains.hpp) into o.custom_domains.
void add_custom_domain(const std::string& value, ServeOptions& o);
// The rules across flags: as many configs as plugins (or one, or none); --redis readable.
void check_serve_options(const ServeOptions& o);

}  // namespace tjhost
