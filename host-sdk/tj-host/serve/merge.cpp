#include "merge.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace tjhost {

boost::json::object error_card(const std::string& integration, const std::string& message) {
    return {{"type", "text"}, {"content", integration + ": " + message}, {"status", "important"}};
}

boost::json::object merge_outcomes(std::vector<IntegrationOutcome> outcomes, const std::string& timestamp) {
    std::stable_sort(outcomes.begin(), outcomes.end(), [](const auto& a, const auto& b) {
        return a.priority != b.priority ? a.priority > b.priority : a.order < b.order;
    });
    boost::json::array data;
    boost::json::array names;
    std::int64_t cache_hits = 0;
    std::int64_t failed = 0;
    for (auto& o : outcomes) {
        names.emplace_back(o.name);
        switch (o.kind) {
            case IntegrationOutcome::Kind::cached: ++cache_hits; [[fallthrough]];
            case IntegrationOutcome::Kind::ok:
                for (auto& r : o.results) {
                    data.push_back(std::move(r));
                }
                break;
            case IntegrationOutcome::Kind::failed:
            case IntegrationOutcome::Kind::timeout:
                ++failed;
                data.push_back(error_card(o.name, o.error));
                break;
        }
    }
    const auto count = static_cast<std::int64_t>(data.size());
    return {{"data", std::move(data)}, {"count", count},         {"cacheHits", cache_hits},
            {"failedCount", failed},   {"timestamp", timestamp}, {"integrationNames", std::move(names)}};
}

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return buf;
}

const char* outcome_label(IntegrationOutcome::Kind k) {
    switch (k) {
        case IntegrationOutcome::Kind::ok: return "ok";
        case IntegrationOutcome::Kind::cached: return "cached";
        case IntegrationOutcome::Kind::failed: return "failed";
        case IntegrationOutcome::Kind::timeout: return "timeout";
    }
    return "failed";
}

}  // namespace tjhost
