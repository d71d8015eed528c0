// Whether a connection goes through an HTTPS proxy (HTTP CONNECT), and which (pure apart from
// proxy_env_from_process, which only reads the environment).
#pragma once

#include "tjc/expected.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tjc::net {

struct ProxyEnv {
    std::string https_proxy;  // HTTPS_PROXY (https_proxy wins, as curl does)
    std::string no_proxy;     // NO_PROXY / no_proxy
};

ProxyEnv proxy_env_from_process();

struct ProxyRoute {
    std::string host;
    std::uint16_t port = 8080;
    std::string user_pass;  // "user:password" (decoded) for Proxy-Authorization, or ""
};

// NO_PROXY semantics (curl's): comma or space separated; "*" matches every host; an entry
// matches the host itself and its subdomains ("example.com" and ".example.com" both match
// "api.example.com"); an entry with ":port" matches that port only; IP literals match exactly.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port);

// localhost, 127.0.0.0/8, ::1.
bool is_loopback_host(std::string_view host);

// configured (proxy.url) wins over env.https_proxy; NO_PROXY applies to both. A proxy from the
// environment is not used for loopback hosts (a local test server stays direct); a configured
// one is used for every host NO_PROXY does not name. Proxy URLs are
// "http://[user:pass@]host[:port]" or a bare "host:port"; an https:// proxy (TLS to the proxy)
// is not supported and is an error.
Expected<std::optional<ProxyRoute>> choose_proxy(std::string_view configured, const ProxyEnv& env,
                                                 std::string_view target_host, std::uint16_t target_port);

}  // namespace tjc::net
