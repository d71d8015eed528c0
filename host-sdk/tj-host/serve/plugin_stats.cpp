#include "plugin_stats.hpp"

#include <boost/json/parse.hpp>

#include <optional>
#include <utility>

namespace tjhost {

namespace {

// A non-negative JSON number as a counter value; nullopt otherwise.
std::optional<double> count_of(const boost::json::value* v) {
    if (!v || !v->is_number()) {
        return std::nullopt;
    }
    const auto d = v->to_number<double>();
    if (d < 0) {
        return std::nullopt;
    }
    return d;
}

const boost::json::object* object_at(const boost::json::value& v, const char* key) {
    const auto* o = v.if_object();
    const auto* at = o ? o->if_contains(key) : nullptr;
    return at ? at->if_object() : nullptr;
}

// Optional "secrets":{"<NAME>":{"requests":n,"unauthorized":n}}: per secret name (issue 12).
void record_secret_stats(Metrics& m, const std::string& integration, const boost::json::value& stats) {
    const auto* secrets = object_at(stats, "secrets");
    if (!secrets) {
        return;
    }
    for (const auto& [name, counts] : *secrets) {
        if (!counts.is_object()) {
            continue;
        }
        const Labels labels{{"integration", integration}, {"secret", std::string(name)}};
        if (auto n = count_of(counts.get_object().if_contains("requests"))) {
            m.set("tj_plugin_upstream_requests_by_secret_total", labels, *n);
        }
        if (auto n = count_of(counts.get_object().if_contains("unauthorized"))) {
            m.set("tj_plugin_upstream_unauthorized_total", labels, *n);
        }
    }
}

}  // namespace

void declare_plugin_stats(Metrics& m) {
    m.counter("tj_plugin_queries_total", "Queries a plugin accepted (its own count, since the server started).");
    m.counter(
        "tj_plugin_cache_total",
        "A plugin's result-cache answers per project: hit (fresh), stale (served, refreshed behind), miss (fetched).");
    m.counter("tj_plugin_upstream_requests_total",
              "A plugin's upstream HTTP attempts by response status (retries and redirects each count).");
    m.counter("tj_plugin_upstream_transport_errors_total",
              "A plugin's upstream attempts without a response (connect, TLS, reset, timeout).");
    m.counter(
        "tj_plugin_upstream_requests_by_secret_total",
        "A plugin's upstream HTTP attempts by the name of the secret whose token they carried (never its value).");
    m.counter("tj_plugin_upstream_unauthorized_total",
              "A plugin's upstream attempts answered 401 by secret name: a revoked or wrong token shows here.");
}

void record_plugin_stats(Metrics& m, const std::string& integration, const boost::json::value& stats) {
    const auto* root = stats.if_object();
    if (!root) {
        return;
    }
    if (auto n = count_of(root->if_contains("queries"))) {
        m.set("tj_plugin_queries_total", {{"integration", integration}}, *n);
    }
    if (const auto* cache = object_at(stats, "cache")) {
        for (const auto& [key, result] :
             {std::pair{"hits", "hit"}, std::pair{"stale", "stale"}, std::pair{"misses", "miss"}}) {
            if (auto n = count_of(cache->if_contains(key))) {
                m.set("tj_plugin_cache_total", {{"integration", integration}, {"result", result}}, *n);
            }
        }
    }
    if (const auto* upstream = object_at(stats, "upstream")) {
        if (const auto* requests = upstream->if_contains("requests"); requests && requests->is_object()) {
            for (const auto& [status, value] : requests->get_object()) {
                if (auto n = count_of(&value)) {
                    m.set("tj_plugin_upstream_requests_total",
                          {{"integration", integration}, {"status", std::string(status)}}, *n);
                }
            }
        }
        if (auto n = count_of(upstream->if_contains("transport_errors"))) {
            m.set("tj_plugin_upstream_transport_errors_total", {{"integration", integration}}, *n);
        }
    }
    record_secret_stats(m, integration, stats);
}

void collect_plugin_stats(const std::vector<Session*>& sessions, Metrics& m) {
    for (const auto* s : sessions) {
        const auto body = s->instance->stats();
        if (!body) {
            continue;
        }
        boost::system::error_code ec;
        const auto v = boost::json::parse(*body, ec);
        if (!ec) {
            record_plugin_stats(m, s->manifest.name, v);
        }
    }
}

}  // namespace tjhost
