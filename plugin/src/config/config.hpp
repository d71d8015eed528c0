// The plugin's config as plain structs with documented defaults (config/circleci.example.yaml
// documents each key). Loaded once per create()/reload(); immutable afterwards and shared by
// the queries that started under it.
#pragma once

#include "config/diagnostics.hpp"
#include "config/mapping_rules.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tjc::config {

struct CircleCiSettings {
    std::string api_url = "https://circleci.com/api/v2";  // API v2 base; a server install has its own
    std::string app_url = "https://app.circleci.com";     // every link on a card starts here
    std::string token_secret = "CIRCLECI_TOKEN";          // secret holding the default token
};

struct TlsSettings {
    std::string ca_file;  // extra PEM trust anchors besides the system store ("" = none)
};

struct Timeouts {
    std::uint32_t connect_ms = 1500;        // TCP connect (per attempt)
    std::uint32_t tls_handshake_ms = 1500;  // TLS handshake (per attempt)
    std::uint32_t request_ms = 3000;        // one HTTP request, send to last byte
    std::uint32_t query_ms = 4000;          // a whole query, inside ToolJump's 5 s limit
};

struct HttpSettings {
    // A wave of a fetch plan sends its requests at once (about 10 cold); 16 lets them all
    // run in parallel rather than queue behind one another.
    std::uint32_t max_connections_per_host = 16;
    std::uint64_t max_response_bytes = 4u << 20;
    std::uint32_t max_retries = 2;  // for idempotent GETs on resets and 5xx
    bool prewarm = true;            // after create/reload, one TLS connection to the API host
};

struct ProxySettings {
    std::string url;  // "" = from HTTPS_PROXY / NO_PROXY
};

struct CardsSettings {
    std::vector<std::string> enabled{std::begin(kCardKinds), std::end(kCardKinds)};
    std::uint32_t recent_pipelines = 5;             // entries in the recent-pipelines dropdown
    std::string reporting_window = "last-30-days";  // insights window (CircleCI's enum)
    double success_threshold = 0.9;                 // insights: a workflow below it is highlighted
    // Deploy workflows, by naming convention; {service} and {env} are placeholders.
    std::vector<std::string> deploy_patterns{"deploy-{service}-{env}", "deploy-{env}"};
    std::uint32_t deploy_scan_pipelines = 20;  // how many recent pipelines are searched for deploys
    // The contexts card: organization contexts whose name matches, with the page's {service}
    // (and {env}, {team} when the page has them; else any one word) filled in.
    std::string context_pattern = "svc-{service}-{env}";
};

struct CacheConfig {
    std::uint32_t ttl_s = 60;             // live status stays fresh this long
    std::uint32_t insights_ttl_s = 3600;  // insights (CircleCI refreshes them daily)
    std::uint32_t max_stale_s = 86400;    // stale cards are served (marked) up to this age
    std::uint32_t max_entries = 20000;
    std::uint64_t max_bytes = 64u << 20;            // 10,000 card sets of ~6 KB
    std::uint32_t max_immutable_pipelines = 20000;  // finished pipelines' workflows, kept without expiry
};

struct LimitsSettings {
    std::uint32_t max_queued_queries = 4096;  // queries in flight per instance; submit() answers busy past it
};

struct Config {
    std::string source;            // file path, or "<inline>" for YAML text
    std::uint64_t generation = 0;  // unique per successful load: cached cards never outlive their config
    CircleCiSettings circleci;
    TlsSettings tls;
    Timeouts timeouts;
    HttpSettings http;
    ProxySettings proxy;
    MappingConfig mapping;
    CardsSettings cards;
    CacheConfig cache;
    LimitsSettings limits;

    // Every secret the config may ask the host for: the default token first.
    [[nodiscard]] std::vector<std::string> secret_names() const;
    // The hosts ToolJump's extension must be allowed on for this config: the url_pattern
    // rules' hosts (describe()'s "customDomains").
    [[nodiscard]] std::vector<std::string> custom_domains() const { return mapping.url_hosts(); }
};

struct LoadResult {
    std::shared_ptr<const Config> config;  // null when diagnostics has errors
    Diagnostics diagnostics;
};

// Parses YAML text; source names it in diagnostics. Empty text gives the defaults.
LoadResult load_config_text(std::string_view yaml, std::string source = "<inline>");
// Reads and parses a file; an unreadable file is a diagnostic, not an exception.
LoadResult load_config_file(const std::string& path);

}  // namespace tjc::config
