// One plugin instance: its config, its threads (one io thread, one callback thread) and the
// queries in flight. Lifetimes: a query holds the config it started with; destroy (the
// destructor) completes every pending query with `cancelled`, then joins both threads, so
// no callback runs after it returns.
#pragma once

#include "config/config.hpp"
#include "instance/host.hpp"
#include "instance/status.hpp"
#include "tjc/expected.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tjc {

struct ConfigSource {
    std::string yaml_text;  // one of the two is non-empty
    std::string file_path;
};

// Exactly once per accepted query, on the callback thread.
using Completion = std::function<void(std::uint64_t ticket, Status status, std::string_view payload)>;

class Instance {
public:
    // Loads the config; on error the message lists every diagnostic (file:line:col key).
    static Expected<std::unique_ptr<Instance>> create(Host host, const ConfigSource& source);
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    // [any-thread] On error the diagnostics, and the running config stays.
    Expected<Done> reload(const ConfigSource& source);

    // [any-thread] Accepts a query: every later outcome, bad context JSON included, comes
    // through done. Returns `busy` (done not called) when the running config's
    // limits.max_queued_queries are in flight.
    Status submit(std::string_view context_json, std::uint32_t timeout_ms, Completion done, std::uint64_t& ticket);
    // [any-thread] `unknown_ticket` when it already completed.
    Status cancel(std::uint64_t ticket);
    // [any-thread, not the callback thread] submit() and wait.
    Status query(std::string_view context_json, std::uint32_t timeout_ms, std::string& out);
    // [any-thread] Pure mapping, no network: out is the explain JSON (or the error message).
    Status resolve(std::string_view context_json, std::string& out);

    // [any-thread] An event (TJ_PLUGIN_EVENTS_V1's JSON): a CircleCI workflow or job that
    // completed makes every cached answer of its project and branch a miss, and the host's
    // cache is told to drop that project's answers (on the callback thread). `no_match` for
    // events of another source or type, `invalid_argument` (with `problem`) for bad JSON.
    Status notify(std::string_view event_json, std::string& problem);

    // [any-thread] Why the boundary refused a call as INVALID_ARGUMENT, for the calls that have
    // no out string to say it in (submit, notify): a warning in the host's log.
    void report_invalid_call(std::string_view message);

    // [any-thread] True (and an error is logged) on this instance's own callback thread,
    // where destroying it would join the thread it runs on: abi/ then refuses the destroy.
    bool refuse_destroy_here();

    // [any-thread] The counters since create() (reloads keep them), as TJ_PLUGIN_STATS_V1's JSON.
    [[nodiscard]] std::string stats_json() const;

    // [any-thread] The secrets the running config may ask for.
    [[nodiscard]] std::vector<std::string> secret_names() const;
    // [any-thread] The running config's custom domains (its url_pattern rules' hosts).
    [[nodiscard]] std::vector<std::string> custom_domains() const;

private:
    struct Impl;
    explicit Instance(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tjc
