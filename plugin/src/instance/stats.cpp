#include "instance/stats.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace tjc {

std::string PluginStats::to_json() const {
    auto load = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
    boost::json::object requests;
    for (unsigned s = kMinStatus; s <= kMaxStatus; ++s) {
        if (const auto n = load(statuses[s - kMinStatus])) {
            requests[std::to_string(s)] = n;
        }
    }
    if (const auto n = load(other_statuses)) {
        requests["other"] = n;
    }
    boost::json::object out;
    out["queries"] = load(queries);
    out["cache"] = {{"hits", load(cache_hits)}, {"misses", load(cache_misses)}, {"stale", load(cache_stale)}};
    out["upstream"] = {{"requests", std::move(requests)}, {"transport_errors", load(transport_errors)}};
    boost::json::object by_secret;
    {
        MutexLock lock(secrets_mutex);
        for (const auto& [name, c] : secrets) {
            by_secret[name] = {{"requests", c.requests}, {"unauthorized", c.unauthorized}};
        }
    }
    out["secrets"] = std::move(by_secret);
    return boost::json::serialize(out);
}

}  // namespace tjc
