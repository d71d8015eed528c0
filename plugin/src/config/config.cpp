#include "config/config.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace tjc::config {

namespace {

// A base URL the plugin builds requests or links from: absolute http(s), a host, no query or
// fragment. Trailing slashes are dropped so that joining paths stays simple.
enum class Schemes { https_only, http_or_https };

void check_base_url(MapReader& reader, std::string_view key, std::string& value, Schemes schemes) {
    const auto node = reader.child(key);
    auto where = [&](const std::string& msg) {
        reader.diagnostics().error(line_of(node), column_of(node), reader.path_of(key), msg);
    };
    auto parsed = boost::urls::parse_absolute_uri(value);
    if (!parsed) {
        return where("'" + value + "' is not an absolute URL (" + parsed.error().message() + ")");
    }
    const auto scheme = parsed->scheme();
    const bool https_only = schemes == Schemes::https_only;
    if (scheme != "https" && (https_only || scheme != "http")) {
        return where("'" + value + "' must use https" + std::string(https_only ? "" : " or http"));
    }
    if (parsed->encoded_host().empty()) {
        return where("'" + value + "' has no host");
    }
    if (parsed->has_query() || parsed->has_fragment()) {
        return where("'" + value + "' must not have a query or fragment");
    }
    if (parsed->has_userinfo()) {
        return where("credentials do not belong in a URL; use a secret");
    }
    while (!value.empty() && value.back() == '/') {
        value.pop_back();
    }
}

void check_secret_name(MapReader& reader, std::string_view key, const std::string& value) {
    const bool ok = !value.empty() && value.size() <= 128 && std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!ok) {
        const auto node = reader.child(key);
        reader.diagnostics().error(line_of(node), column_of(node), reader.path_of(key),
                                   "secret names are upper-case letters, digits and '_' (got '" + value + "')");
    }
}

void check_card_names(MapReader& reader, std::string_view key, const std::vector<std::string>& names) {
    for (const auto& name : names) {
        if (std::find(std::begin(kCardKinds), std::end(kCardKinds), name) != std::end(kCardKinds)) {
            continue;
        }
        std::string known;
        for (const auto* k : kCardKinds) {
            known += (known.empty() ? "" : ", ") + std::string(k);
        }
        const auto node = reader.child(key);
        reader.diagnostics().error(line_of(node), column_of(node), reader.path_of(key),
                                   "unknown card '" + name + "' (cards: " + known + ")");
    }
}

// {service}, {env} and {team}; at least {service} or {team}, or every context would match.
void check_context_pattern(MapReader& reader, const std::string& pattern) {
    auto p = NamePattern::compile(pattern, {"service", "env", "team"});
    std::string problem;
    if (!p) {
        problem = p.error();
    } else if (!p->has("service") && !p->has("team")) {
        problem = "has neither {service} nor {team}: it would match every context";
    }
    if (!problem.empty()) {
        const auto node = reader.child("context_pattern");
        reader.diagnostics().error(line_of(node), column_of(node), "cards.context_pattern",
                                   "'" + pattern + "': " + problem);
    }
}

void parse_root(const YAML::Node& root, Config& cfg, Diagnostics& diag) {
    MapReader top(root, "", diag);
    if (!top.valid()) {
        return;
    }

    {
        MapReader r(top.child("circleci"), "circleci", diag);
        if (r.read("api_url", cfg.circleci.api_url)) {
            check_base_url(r, "api_url", cfg.circleci.api_url, Schemes::https_only);
        }
        if (r.read("app_url", cfg.circleci.app_url)) {
            check_base_url(r, "app_url", cfg.circleci.app_url, Schemes::http_or_https);
        }
        if (r.read("token_secret", cfg.circleci.token_secret)) {
            check_secret_name(r, "token_secret", cfg.circleci.token_secret);
        }
        r.finish();
    }
    {
        MapReader r(top.child("tls"), "tls", diag);
        if (r.read("ca_file", cfg.tls.ca_file) && !cfg.tls.ca_file.empty()) {
            // A directory opens as a stream too; only a readable regular file is a CA file.
            std::error_code ec;
            std::ifstream probe(cfg.tls.ca_file);
            if (!probe || !std::filesystem::is_regular_file(cfg.tls.ca_file, ec)) {
                const auto node = r.child("ca_file");
                diag.error(line_of(node), column_of(node), "tls.ca_file", "cannot read '" + cfg.tls.ca_file + "'");
            }
        }
        r.finish();
    }
    {
        MapReader r(top.child("timeouts"), "timeouts", diag);
        r.read("connect_ms", cfg.timeouts.connect_ms, 1, 60'000);
        r.read("tls_handshake_ms", cfg.timeouts.tls_handshake_ms, 1, 60'000);
        r.read("request_ms", cfg.timeouts.request_ms, 1, 120'000);
        r.read("query_ms", cfg.timeouts.query_ms, 1, 120'000);
        r.finish();
    }
    {
        MapReader r(top.child("http"), "http", diag);
        r.read("max_connections_per_host", cfg.http.max_connections_per_host, 1, 64);
        r.read("max_response_bytes", cfg.http.max_response_bytes, 1024, 256ull << 20);
        r.read("max_retries", cfg.http.max_retries, 0, 10);
        r.read("prewarm", cfg.http.prewarm);
        r.finish();
    }
    {
        MapReader r(top.child("proxy"), "proxy", diag);
        if (r.read("url", cfg.proxy.url) && !cfg.proxy.url.empty()) {
            auto parsed = boost::urls::parse_absolute_uri(cfg.proxy.url);
            if (!parsed || parsed->encoded_host().empty()) {
                const auto node = r.child("url");
                diag.error(line_of(node), column_of(node), "proxy.url", "'" + cfg.proxy.url + "' is not a proxy URL");
            }
        }
        r.finish();
    }
    {
        MapReader r(top.child("cards"), "cards", diag);
        if (r.read("enabled", cfg.cards.enabled)) {
            check_card_names(r, "enabled", cfg.cards.enabled);
        }
        r.read("recent_pipelines", cfg.cards.recent_pipelines, 1, 20);
        if (r.read("reporting_window", cfg.cards.reporting_window)) {
            static const std::vector<std::string> windows{"last-24-hours", "last-7-days", "last-30-days",
                                                          "last-60-days", "last-90-days"};
            if (std::find(windows.begin(), windows.end(), cfg.cards.reporting_window) == windows.end()) {
                const auto node = r.child("reporting_window");
                diag.error(line_of(node), column_of(node), "cards.reporting_window",
                           "'" + cfg.cards.reporting_window +
                               "' is not one of last-24-hours, last-7-days, last-30-days, last-60-days, last-90-days");
            }
        }
        r.read("success_threshold", cfg.cards.success_threshold, 0.0, 1.0);
        if (r.read("deploy_patterns", cfg.cards.deploy_patterns)) {
            for (const auto& p : cfg.cards.deploy_patterns) {
                if (p.find("{env}") == std::string::npos) {
                    const auto node = r.child("deploy_patterns");
                    diag.error(line_of(node), column_of(node), "cards.deploy_patterns",
                               "'" + p + "' has no {env} placeholder: the environment could not be known");
                }
            }
        }
        r.read("deploy_scan_pipelines", cfg.cards.deploy_scan_pipelines, 1, 100);
        if (r.read("context_pattern", cfg.cards.context_pattern)) {
            check_context_pattern(r, cfg.cards.context_pattern);
        }
        r.finish();
    }
    {
        MapReader r(top.child("cache"), "cache", diag);
        r.read("ttl_s", cfg.cache.ttl_s, 0, 86400);
        r.read("insights_ttl_s", cfg.cache.insights_ttl_s, 0, 7 * 86400);
        r.read("max_stale_s", cfg.cache.max_stale_s, 0, 30 * 86400);
        r.read("max_entries", cfg.cache.max_entries, 1, 10'000'000);
        r.read("max_bytes", cfg.cache.max_bytes, 1u << 20, 16ull << 30);
        r.read("max_immutable_pipelines", cfg.cache.max_immutable_pipelines, 0, 10'000'000);
        r.finish();
    }
    {
        MapReader r(top.child("limits"), "limits", diag);
        r.read("max_queued_queries", cfg.limits.max_queued_queries, 1, 1'000'000);
        r.finish();
    }
    cfg.mapping = parse_mapping(top.child("mapping"), "mapping", diag);
    // Links are the page's, not the mapping's; resolve hands them to the projects it finds.
    static const std::set<std::string, std::less<>> kLinkScope{"service", "env", "team", "org", "repo", "branch"};
    cfg.mapping.links = parse_links(top.child("links"), "links", kLinkScope, diag);
    top.finish();
}

}  // namespace

std::vector<std::string> Config::secret_names() const {
    std::vector<std::string> names{circleci.token_secret};
    for (auto& name : mapping.token_secrets()) {
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            names.push_back(name);
        }
    }
    return names;
}

LoadResult load_config_text(std::string_view yaml, std::string source) {
    Diagnostics diag(source);
    auto cfg = std::make_shared<Config>();
    cfg->source = source;
    try {
        const auto root = YAML::Load(std::string(yaml));
        parse_root(root, *cfg, diag);
    } catch (const YAML::Exception& e) {
        diag.error(e.mark.line < 0 ? 0 : e.mark.line + 1, e.mark.column < 0 ? 0 : e.mark.column + 1, "",
                   "invalid YAML: " + e.msg);
    }
    if (diag.has_errors()) {
        return {nullptr, std::move(diag)};
    }
    static std::atomic<std::uint64_t> generations{0};
    cfg->generation = ++generations;
    return {std::move(cfg), std::move(diag)};
}

LoadResult load_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        Diagnostics diag(path);
        diag.error(0, 0, "", "cannot open the config file");
        return {nullptr, std::move(diag)};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return load_config_text(text.str(), path);
}

}  // namespace tjc::config
