// From a resolved context to the results JSON: the rendered-results cache first, then the
// fetch plan for what is missing or stale. A cache hit is answered on the caller's thread
// with the stored JSON (no rendering, no thread hop); fetches run on the io thread.
#pragma once

#include "cache/result_cache.hpp"
#include "config/config.hpp"
#include "instance/host.hpp"
#include "instance/stats.hpp"
#include "instance/status.hpp"
#include "mapping/resolve.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tjc {

namespace plan {
struct Stores;
}

class QueryEngine {
public:
    // Called once, on the io thread, when the answer needs I/O.
    using Done = std::function<void(Status, std::string payload)>;

    // io must outlive the engine and be run by exactly one thread. counters: where cache
    // answers and upstream attempts are counted (shared: they outlive the engine's runtimes).
    QueryEngine(boost::asio::io_context& io, Host host, std::shared_ptr<const config::Config> config,
                std::shared_ptr<PluginStats> counters);
    ~QueryEngine();
    QueryEngine(const QueryEngine&) = delete;
    QueryEngine& operator=(const QueryEngine&) = delete;

    // [any-thread] A new config: later queries use it (their cache keys change with it).
    void reconfigure(std::shared_ptr<const config::Config> config);

    // [any-thread] Off the caller's thread: makes the config's runtime (the process's TLS
    // context for its settings) and, when http.prewarm is on, one TLS connection to the API
    // host, so that the first query pays no handshake. Silent when it fails.
    void warm(std::shared_ptr<const config::Config> config);

    // [any-thread] The answer now when every project's cards are cached (fresh or stale);
    // otherwise nullopt, and `done` runs later with the answer, by the deadline.
    std::optional<std::string> start(const mapping::Resolution& resolution,
                                     const std::shared_ptr<const config::Config>& config, std::uint32_t timeout_ms,
                                     Done done);

    // [any-thread] The answer when every project's cards are cached and fresh, else nullopt;
    // starts nothing.
    std::optional<std::string> peek(const mapping::Resolution& resolution,
                                    const std::shared_ptr<const config::Config>& config);

    // [any-thread] An event said a project's data changed: every cached answer of that project
    // (slug compared without case) for `branch` or for the default branch ("" in the key: it
    // may be that branch) becomes a miss, fetched again on the next query. Returns how many.
    std::size_t invalidate_project(std::string_view slug, std::string_view branch);

    struct Stats {
        std::uint64_t hits = 0, stale = 0, misses = 0, fetches = 0, fetch_failures = 0;
    };
    [[nodiscard]] Stats stats() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace tjc
