// CORS for `tj-host serve`: which origins may call it from a browser, and the headers that
// say so. An allowed origin is echoed back (with Vary: Origin); any other origin gets no CORS
// header at all, so the browser refuses to hand it the answer. As ToolJump's server
// (docs/tooljump-contract.md section 5): the sites of the enabled adapters, plus the custom
// domains (https://<host>), plus the extension's own origins; /config and /custom-domains
// answer any origin (public_headers). A preflight that asks for Private Network Access (Chrome:
// a public page calling a server on a private address) is granted for allowed origins.
#pragma once

#include "tjc/mutex.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tjhost {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class CorsPolicy {
public:
    // Entries are exact origins ("https://github.com"), a scheme with a wildcard
    // ("chrome-extension://*": any extension id of that browser) or a wildcard host suffix
    // ("https://*.console.aws.amazon.com": any https origin whose host ends with it).
    explicit CorsPolicy(std::vector<std::string> origins);

    // The defaults: the enabled adapters' sites (github: https://github.com; aws:
    // https://console.aws.com and https://*.console.aws.amazon.com; generic: none) and the
    // extension's origins. `--cors-origin` flags replace them.
    static std::vector<std::string> default_origins(bool github, bool aws);

    // Custom domains (hosts, e.g. "grafana.acme.io"): https://<host> is allowed beside the
    // origins. Replaced as a whole (startup, SIGHUP). [any-thread]
    void set_custom_domains(std::vector<std::string> hosts);

    [[nodiscard]] bool allows(std::string_view origin) const;
    // Headers for a normal response to a request with this Origin ("" = none sent).
    [[nodiscard]] HeaderList response_headers(std::string_view origin) const;
    // Headers for an OPTIONS preflight; empty when the origin is not allowed.
    // private_network: the preflight carried Access-Control-Request-Private-Network: true.
    [[nodiscard]] HeaderList preflight_headers(std::string_view origin, bool private_network = false) const;
    // For the public endpoints (/config, /custom-domains): any origin.
    [[nodiscard]] static HeaderList public_headers(std::string_view origin);
    [[nodiscard]] static HeaderList public_preflight_headers(std::string_view origin, bool private_network = false);

private:
    std::vector<std::string> origins_;
    mutable tjc::Mutex mutex_;
    std::vector<std::string> custom_origins_ TJC_GUARDED_BY(mutex_);  // "https://<host>"
};

}  // namespace tjhost
