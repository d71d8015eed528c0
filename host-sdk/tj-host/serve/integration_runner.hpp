// Runs one context through every loaded integration that applies (its manifest's match holds
// and its required secrets are set), concurrently, each within the deadline, and merges the
// outcomes as ToolJump does (merge.hpp). A plugin's refusal, failure, exception or silence is
// that integration's error card, never the caller's failure. Results come from the host's
// result cache when fresh; successes are stored in it.
#pragma once

#include "deadline_timer.hpp"
#include "host_cache.hpp"
#include "merge.hpp"
#include "metrics.hpp"
#include "preview_html.hpp"
#include "session.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <memory>
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

    // `done` receives the /context response body exactly once, on a plugin's callback thread,
    // the timer's thread or the caller's (when nothing needs to wait). [any-thread]
    void run(const boost::json::value& context, std::function<void(boost::json::object)> done);

    // Each integration's mapping of the context (resolve(), no network), for /preview.
    [[nodiscard]] std::vector<PreviewMapping> resolve_all(const boost::json::value& context) const;

    // The names of the adapters (context types) some loaded integration serves; "*" serves all.
    [[nodiscard]] bool serves_context_type(const std::string& type) const;

    // SIGHUP: every plugin re-reads its config file; the host cache is emptied. Returns the
    // errors ("<integration>: <message>"), empty when all reloaded.
    std::vector<std::string> reload_all();

    [[nodiscard]] const std::vector<Session*>& sessions() const noexcept { return sessions_; }

private:
    struct Job;
    void settle(const std::shared_ptr<Job>& job, std::size_t index, IntegrationOutcome outcome);
    std::vector<Session*> sessions_;
    Metrics& metrics_;
    std::chrono::milliseconds deadline_;
    HostResultCache cache_;
    DeadlineTimer timer_;  // last: its thread stops first
};

}  // namespace tjhost
