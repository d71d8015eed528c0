#include "integration_runner.hpp"

#include "match.hpp"
#include "merge.hpp"

#include <boost/json.hpp>

#include <mutex>

namespace tjhost {

namespace {

// The host waits this much beyond the deadline it gave the plugin before it answers without it.
constexpr std::chrono::milliseconds kGrace{250};

// A plugin's completion as an integration's outcome; results that are not a JSON array are
// the plugin's failure.
IntegrationOutcome outcome_of(tj_status status, std::string_view payload) {
    IntegrationOutcome o;
    try {
        if (status == TJ_STATUS_OK) {
            auto v = boost::json::parse(payload);
            if (!v.is_array()) {
                throw std::runtime_error("the results are not a JSON array");
            }
            o.results = std::move(v.as_array());
        } else if (status == TJ_STATUS_TIMEOUT || status == TJ_STATUS_CANCELLED) {
            o.kind = IntegrationOutcome::Kind::timeout;
            o.error = payload.empty() ? "timed out" : std::string(payload);
        } else {
            o.kind = IntegrationOutcome::Kind::failed;
            o.error = payload.empty() ? "failed (status " + std::to_string(status) + ")" : std::string(payload);
        }
    } catch (const std::exception& e) {
        o = IntegrationOutcome{};
        o.kind = IntegrationOutcome::Kind::failed;
        o.error = std::string("invalid results: ") + e.what();
    }
    return o;
}

}  // namespace

struct IntegrationRunner::Job {
    std::mutex mutex;
    std::vector<IntegrationOutcome> outcomes;
    std::vector<bool> settled;
    std::vector<std::uint64_t> tickets;
    std::vector<bool> submitted;
    std::vector<std::string> keys;
    std::vector<std::size_t> session_of;  // outcome index -> session index
    std::vector<std::uint64_t> timers;
    std::chrono::steady_clock::time_point started;
    std::size_t pending = 0;
    std::function<void(boost::json::object)> done;
};

void IntegrationRunner::declare_metrics(Metrics& m) {
    m.counter("tj_host_integration_queries_total",
              "Integration queries by outcome (ok, failed, timeout, cached: answered from the host cache).");
    m.histogram("tj_host_integration_query_duration_seconds", "Time from submit to an integration's answer.",
                {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    m.counter("tj_host_result_cache_hits_total", "Host result cache lookups answered from the cache.");
    m.counter("tj_host_result_cache_misses_total", "Host result cache lookups that ran the integration.");
}

IntegrationRunner::IntegrationRunner(std::vector<Session*> sessions, Metrics& metrics, std::chrono::milliseconds deadline,
                                     std::size_t cache_entries)
    : sessions_(std::move(sessions)), metrics_(metrics), deadline_(deadline), cache_(cache_entries) {}

IntegrationRunner::~IntegrationRunner() = default;

void IntegrationRunner::settle(const std::shared_ptr<Job>& job, std::size_t index, IntegrationOutcome outcome) {
    std::function<void(boost::json::object)> done;
    std::vector<IntegrationOutcome> outcomes;
    std::uint64_t timer = 0;
    {
        std::lock_guard lock(job->mutex);
        if (job->settled[index]) return;
        job->settled[index] = true;
        timer = job->timers[index];
        const auto* session = sessions_[job->session_of[index]];
        const Labels labels{{"integration", session->manifest.name}};
        metrics_.add("tj_host_integration_queries_total",
                     {{"integration", session->manifest.name}, {"outcome", outcome_label(outcome.kind)}});
        if (outcome.kind != IntegrationOutcome::Kind::cached) {
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - job->started;
            metrics_.observe("tj_host_integration_query_duration_seconds", labels, took.count());
        }
        if (outcome.kind == IntegrationOutcome::Kind::ok)
            cache_.put(job->keys[index], outcome.results, std::chrono::seconds(session->manifest.cache));
        outcome.name = job->outcomes[index].name;
        outcome.priority = job->outcomes[index].priority;
        outcome.order = job->outcomes[index].order;
        job->outcomes[index] = std::move(outcome);
        if (--job->pending != 0) return;
        done = std::move(job->done);
        outcomes = std::move(job->outcomes);
    }
    if (timer) timer_.cancel(timer);
    done(merge_outcomes(std::move(outcomes), iso8601_utc(std::chrono::system_clock::now())));
}

void IntegrationRunner::run(const boost::json::value& context, std::function<void(boost::json::object)> done) {
    auto job = std::make_shared<Job>();
    job->started = std::chrono::steady_clock::now();
    job->done = std::move(done);
    for (std::size_t i = 0; i < sessions_.size(); ++i) {
        const auto& s = *sessions_[i];
        if (!matches(s.manifest.match, context) || !s.has_required_secrets()) continue;
        IntegrationOutcome o;
        o.name = s.manifest.name;
        o.priority = s.manifest.priority;
        o.order = i;
        job->outcomes.push_back(std::move(o));
        job->session_of.push_back(i);
        job->keys.push_back(cache_key(s.manifest.name, s.manifest.cache_key, context));
    }
    const auto n = job->outcomes.size();
    job->settled.assign(n, false);
    job->tickets.assign(n, 0);
    job->submitted.assign(n, false);
    job->timers.assign(n, 0);
    job->pending = n;
    if (n == 0) {
        auto fn = std::move(job->done);
        fn(merge_outcomes({}, iso8601_utc(std::chrono::system_clock::now())));
        return;
    }
    const auto text = boost::json::serialize(context);
    const auto timeout_ms = static_cast<std::uint32_t>(deadline_.count());
    for (std::size_t i = 0; i < n; ++i) {
        auto* session = sessions_[job->session_of[i]];
        const Labels labels{{"integration", session->manifest.name}};
        if (session->manifest.cache > 0) {
            if (auto hit = cache_.get(job->keys[i])) {
                metrics_.add("tj_host_result_cache_hits_total", labels);
                IntegrationOutcome o;
                o.kind = IntegrationOutcome::Kind::cached;
                o.results = std::move(*hit);
                settle(job, i, std::move(o));
                continue;
            }
            metrics_.add("tj_host_result_cache_misses_total", labels);
        }
        std::uint64_t ticket = 0;
        tj_status st = TJ_STATUS_INTERNAL;
        try {
            // The watchdog first: a completion may arrive before submit() returns to us.
            {
                std::lock_guard lock(job->mutex);
                job->timers[i] = timer_.at(std::chrono::steady_clock::now() + deadline_ + kGrace, [this, job, i] {
                    std::uint64_t ticket_to_cancel = 0;
                    bool cancel = false;
                    {
                        std::lock_guard lock(job->mutex);
                        cancel = job->submitted[i] && !job->settled[i];
                        ticket_to_cancel = job->tickets[i];
                    }
                    IntegrationOutcome o;
                    o.kind = IntegrationOutcome::Kind::timeout;
                    o.error = "timed out after " + std::to_string(deadline_.count()) + " ms";
                    settle(job, i, std::move(o));
                    if (cancel) {
                        sessions_[job->session_of[i]]->instance->cancel(ticket_to_cancel);
                    }
                });
            }
            st = session->instance->submit(
                text, timeout_ms,
                [this, job, i](std::uint64_t, tj_status status, std::string_view payload) {
                    settle(job, i, outcome_of(status, payload));
                },
                &ticket);
        } catch (...) {
            st = TJ_STATUS_INTERNAL;
        }
        if (st != TJ_STATUS_OK) {
            IntegrationOutcome o;
            o.kind = IntegrationOutcome::Kind::failed;
            o.error = st == TJ_STATUS_BUSY ? "busy (too many queries in flight)"
                                           : "the plugin refused the query (status " + std::to_string(st) + ")";
            settle(job, i, std::move(o));
            continue;
        }
        std::lock_guard lock(job->mutex);
        job->tickets[i] = ticket;
        job->submitted[i] = true;
    }
}

std::vector<PreviewMapping> IntegrationRunner::resolve_all(const boost::json::value& context) const {
    std::vector<PreviewMapping> out;
    const auto text = boost::json::serialize(context);
    for (const auto* s : sessions_) {
        PreviewMapping m;
        m.integration = s->manifest.name;
        std::string why;
        if (!matches(s->manifest.match, context, &why)) {
            m.message = "not run: the context does not match its manifest (" + why + ")";
        } else if (!s->has_required_secrets()) {
            m.message = "not run: a required secret is not set";
        } else {
            auto [st, body] = s->instance->resolve(text);
            if (st == TJ_STATUS_OK || st == TJ_STATUS_NO_MATCH) {
                boost::system::error_code ec;
                boost::json::parse(body, ec);
                if (!ec) {
                    m.resolve_json = std::move(body);
                } else {
                    m.message = body;
                }
            } else {
                m.message = "resolve failed: " + body;
            }
        }
        out.push_back(std::move(m));
    }
    return out;
}

bool IntegrationRunner::serves_context_type(const std::string& type) const {
    for (const auto* s : sessions_) {
        const auto* ct = s->manifest.match.as_object().if_contains("contextType");
        if (ct && ct->is_string() && (ct->as_string() == type || ct->as_string() == "*")) return true;
    }
    return false;
}

std::vector<std::string> IntegrationRunner::reload_all() {
    std::vector<std::string> errors;
    for (auto* s : sessions_) {
        if (auto e = s->reload(); !e.empty()) errors.push_back(s->manifest.name + ": " + e);
    }
    cache_.clear();
    return errors;
}

}  // namespace tjhost
