// Runs one context through every loaded integration that applies (its manifest's match holds
// and its required secrets are set), concurrently, each within the deadline, and merges the
// outcomes as ToolJump does (merge.hpp). A plugin's refusal, failure, exception or silence is
// that integration's error card, never the caller's failure.
//
// Caching (integrations whose manifest `cache` is above 0): the local result cache first; on a
// miss one request per key runs (single flight) and the others wait for its answer; with a
// shared cache (Redis: several replicas) the leader looks there next and, on a miss there too,
// either takes the key's lock and runs the plugin or waits for the replica that holds it. An
// answer is stored tagged with the project slugs of the plugin's resolve() for the context;
// invalidate() (TJ_HOST_CACHE_V1) drops a tag's answers here and on every replica.
#pragma once

#include "deadline_timer.hpp"
#include "host_cache.hpp"
#include "merge.hpp"
#include "metrics.hpp"
#include "preview_html.hpp"
#include "session.hpp"
#include "shared_results.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace tjhost {

class IntegrationRunner {
public:
    // sessions: in command-line order (ties of priority keep it). They outlive the runner.
    IntegrationRunner(std::vector<Session*> sessions, Metrics& metrics, std::chrono::milliseconds deadline,
                      std::size_t cache_entries = 10000);
    ~IntegrationRunner();

    // Declares the runner's metric families in `metrics` (call once before constructing).
    static void declare_metrics(Metrics& metrics);

    // The second cache level, shared by replicas (may stay null). Set before serving; it
    // outlives the runner's use of it.
    void set_shared(SharedResults* shared) noexcept { shared_.store(shared); }

    // `done` receives the /context response body exactly once, on a plugin's callback thread,
    // the timer's thread, the shared cache's thread or the caller's. [any-thread]
    void run(const boost::json::value& context, std::function<void(boost::json::object)> done);

    // Each integration's mapping of the context (resolve(), no network), for /preview.
    [[nodiscard]] std::vector<PreviewMapping> resolve_all(const boost::json::value& context) const;

    // The names of the adapters (context types) some loaded integration serves; "*" serves all.
    [[nodiscard]] bool serves_context_type(const std::string& type) const;

    // SIGHUP: every plugin re-reads its config file; the local host cache is emptied. Returns
    // the errors ("<integration>: <message>"), empty when all reloaded.
    std::vector<std::string> reload_all();

    // TJ_HOST_CACHE_V1.invalidate from `integration`'s plugin: its answers tagged `tag` go,
    // here and (shared cache) on every replica. [any-thread]
    void invalidate(const std::string& integration, std::string_view tag);
    // Another replica purged a scoped tag: drop it here only. [any-thread]
    void purge_local(const std::string& scoped);
    // Purges may have been missed (the shared cache's subscription came back): start empty. [any-thread]
    void clear_local();

    // Hands an event (TJ_PLUGIN_EVENTS_V1's JSON) to every plugin that has the events api;
    // returns how many took it (TJ_STATUS_OK). [any-thread]
    std::size_t notify_all(const std::string& event_json);

    [[nodiscard]] const std::vector<Session*>& sessions() const noexcept { return sessions_; }

    // Shutdown: from now on no query reaches a plugin (the sessions are about to go); what
    // still waits (e.g. for another request's answer) is answered as failed. [any-thread]
    void stop() noexcept { stopping_.store(true); }

private:
    struct Job;
    void settle(const std::shared_ptr<Job>& job, std::size_t index, IntegrationOutcome outcome);
    void arm_watchdog(const std::shared_ptr<Job>& job, std::size_t index);
    void lead(const std::shared_ptr<Job>& job, std::size_t index);
    void submit(const std::shared_ptr<Job>& job, std::size_t index);
    // The tags (and the local cache's purge count when they were taken) of keys[index],
    // resolved once per job: a copy, safe to use outside the job's lock.
    struct TakenTags {
        std::vector<std::string> tags;
        std::uint64_t epoch = 0;
    };
    TakenTags take_tags(Job& job, std::size_t index);
    std::vector<std::string> tags_of(const Session& session, const std::string& context_text) const;

    std::vector<Session*> sessions_;
    Metrics& metrics_;
    std::chrono::milliseconds deadline_;
    HostResultCache cache_;
    std::atomic<SharedResults*> shared_{nullptr};
    std::atomic<bool> stopping_{false};
    DeadlineTimer timer_;  // last: its thread stops first
};

}  // namespace tjhost
