// The instance's counters for TJ_PLUGIN_STATS_V1: queries, result-cache answers, upstream
// HTTP attempts by status. Owned by the instance (shared with the engine and every HTTP
// client it makes), so they survive reloads. Relaxed atomics: each is a tally, read alone.
#pragma once

#include "tjc/mutex.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace tjc {

struct PluginStats {
    std::atomic<std::uint64_t> queries{0};
    std::atomic<std::uint64_t> cache_hits{0};    // fresh
    std::atomic<std::uint64_t> cache_stale{0};   // served stale, refreshed behind
    std::atomic<std::uint64_t> cache_misses{0};  // fetched
    std::atomic<std::uint64_t> transport_errors{0};

    // HTTP statuses 100..599 (a fixed table: no lock, no allocation on the io thread).
    static constexpr unsigned kMinStatus = 100, kMaxStatus = 599;
    std::array<std::atomic<std::uint64_t>, kMaxStatus - kMinStatus + 1> statuses{};
    std::atomic<std::uint64_t> other_statuses{0};  // outside 100..599 (a broken server)

    static void bump(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }

    // Per secret name (never a value): attempts made with its token, and 401s among them, so
    // that an operator sees a token's use and notices a revoked one.
    struct SecretCounts {
        std::uint64_t requests = 0;
        std::uint64_t unauthorized = 0;
    };

    // One upstream attempt: its HTTP status, or 0 when no response came, and the name of the
    // secret whose token it carried ("" = none).
    void upstream(unsigned status, const std::string& secret_name = {}) {
        if (status == 0) {
            bump(transport_errors);
        } else if (status >= kMinStatus && status <= kMaxStatus) {
            bump(statuses[status - kMinStatus]);
        } else {
            bump(other_statuses);
        }
        if (!secret_name.empty()) {
            MutexLock lock(secrets_mutex);
            auto& c = secrets[secret_name];  // bounded: the names the config gives
            ++c.requests;
            c.unauthorized += status == 401 ? 1 : 0;
        }
    }

    mutable Mutex secrets_mutex;
    std::map<std::string, SecretCounts> secrets TJC_GUARDED_BY(secrets_mutex);

    // The JSON of tj_plugin_stats_v1.stats() (shape in plugin.h); other statuses are "other".
    [[nodiscard]] std::string to_json() const;
};

}  // namespace tjc
