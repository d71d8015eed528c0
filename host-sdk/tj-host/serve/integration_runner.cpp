#include "integration_runner.hpp"
#include "tjc/mutex.hpp"

#include "match.hpp"
#include "merge.hpp"

#include <boost/json.hpp>

#include <algorithm>

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

IntegrationOutcome cached_outcome(boost::json::array results) {
    IntegrationOutcome o;
    o.kind = IntegrationOutcome::Kind::cached;
    o.results = std::move(results);
    return o;
}

}  // namespace

// One /context request. Per integration (index i): its outcome slot and what its way there
// holds. Every field is guarded by `mutex`, except those set before the job is shared.
struct IntegrationRunner::Job {
    tjc::Mutex mutex;
    std::vector<IntegrationOutcome> outcomes TJC_GUARDED_BY(mutex);
    std::vector<bool> settled TJC_GUARDED_BY(mutex);
    std::vector<std::uint64_t> tickets TJC_GUARDED_BY(mutex);
    std::vector<bool> submitted TJC_GUARDED_BY(mutex);
    std::vector<std::string> keys;        // set before sharing
    std::vector<std::size_t> session_of;  // outcome index -> session index; set before sharing
    std::vector<std::uint64_t> timers TJC_GUARDED_BY(mutex);
    std::vector<bool> leads TJC_GUARDED_BY(mutex);                     // this request runs the local flight of keys[i]
    std::vector<std::vector<std::string>> tags TJC_GUARDED_BY(mutex);  // scoped tags of keys[i], once resolved
    std::vector<bool> tagged TJC_GUARDED_BY(mutex);
    std::vector<std::uint64_t> epochs TJC_GUARDED_BY(mutex);  // the local cache's purge count when tags were taken
    std::vector<SharedLease> leases TJC_GUARDED_BY(mutex);    // a shared lock held for keys[i]
    std::string context_text;                                 // set before sharing
    std::chrono::steady_clock::time_point started;            // set before sharing
    std::size_t pending TJC_GUARDED_BY(mutex) = 0;
    std::function<void(boost::json::object)> done TJC_GUARDED_BY(mutex);
};

void IntegrationRunner::declare_metrics(Metrics& m) {
    m.counter("tj_host_integration_queries_total",
              "Integration queries by outcome (ok, failed, timeout, cached: answered from a cache or by another "
              "request's answer).");
    m.histogram("tj_host_integration_query_duration_seconds", "Time from submit to an integration's answer.",
                {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    m.counter("tj_host_result_cache_hits_total", "Host result cache lookups answered from the cache.");
    m.counter("tj_host_result_cache_misses_total", "Host result cache lookups that ran the integration.");
    m.counter("tj_host_result_cache_purged_total",
              "Host result cache entries dropped by a plugin's invalidate (by tag).");
}

IntegrationRunner::IntegrationRunner(std::vector<Session*> sessions, Metrics& metrics,
                                     std::chrono::milliseconds deadline, std::size_t cache_entries)
    : sessions_(std::move(sessions)), metrics_(metrics), deadline_(deadline), cache_(cache_entries) {}

IntegrationRunner::~IntegrationRunner() = default;

void IntegrationRunner::settle(const std::shared_ptr<Job>& job, std::size_t index, IntegrationOutcome outcome) {
    std::function<void(boost::json::object)> done;
    std::vector<IntegrationOutcome> outcomes;
    std::vector<HostResultCache::Waiter> waiters;
    std::optional<boost::json::array> for_waiters;
    std::uint64_t timer = 0;
    {
        tjc::MutexLock lock(job->mutex);
        if (job->settled[index]) {
            return;
        }
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
        const std::chrono::seconds ttl(session->manifest.cache);
        if (outcome.kind == IntegrationOutcome::Kind::ok) {
            cache_.put(job->keys[index], outcome.results, ttl, job->tags[index], job->epochs[index]);
        }
        if (auto* shared = shared_.load(); shared && !job->leases[index].key.empty()) {
            if (outcome.kind == IntegrationOutcome::Kind::ok) {
                shared->publish(job->leases[index], outcome.results, ttl);
            } else {
                shared->abandon(job->leases[index]);
            }
        }
        if (job->leads[index]) {
            waiters = cache_.finish(job->keys[index]);
            if (outcome.kind == IntegrationOutcome::Kind::ok || outcome.kind == IntegrationOutcome::Kind::cached) {
                for_waiters = outcome.results;
            }
        }
        outcome.name = job->outcomes[index].name;
        outcome.priority = job->outcomes[index].priority;
        outcome.order = job->outcomes[index].order;
        job->outcomes[index] = std::move(outcome);
        if (--job->pending == 0) {
            done = std::move(job->done);
            outcomes = std::move(job->outcomes);
        }
    }
    if (timer) {
        timer_.cancel(timer);
    }
    // Outside the job's lock: each waiter settles (or runs) its own job.
    for (auto& w : waiters) {
        w(for_waiters);
    }
    if (done) {
        done(merge_outcomes(std::move(outcomes), iso8601_utc(std::chrono::system_clock::now())));
    }
}

void IntegrationRunner::run(const boost::json::value& context, std::function<void(boost::json::object)> done) {
    auto job = std::make_shared<Job>();
    job->started = std::chrono::steady_clock::now();
    std::vector<IntegrationOutcome> outcomes;
    for (std::size_t i = 0; i < sessions_.size(); ++i) {
        const auto& s = *sessions_[i];
        if (!matches(s.manifest.match, context) || !s.has_required_secrets()) {
            continue;
        }
        IntegrationOutcome o;
        o.name = s.manifest.name;
        o.priority = s.manifest.priority;
        o.order = i;
        outcomes.push_back(std::move(o));
        job->session_of.push_back(i);
        job->keys.push_back(cache_key(s.manifest.name, s.manifest.cache_key, context));
    }
    const auto n = outcomes.size();
    if (n == 0) {
        done(merge_outcomes({}, iso8601_utc(std::chrono::system_clock::now())));
        return;
    }
    {
        tjc::MutexLock lock(job->mutex);  // not shared yet: taken for the analysis, never contended
        job->outcomes = std::move(outcomes);
        job->done = std::move(done);
        job->settled.assign(n, false);
        job->tickets.assign(n, 0);
        job->submitted.assign(n, false);
        job->timers.assign(n, 0);
        job->leads.assign(n, false);
        job->tags.assign(n, {});
        job->tagged.assign(n, false);
        job->epochs.assign(n, 0);
        job->leases.assign(n, {});
        job->pending = n;
    }
    job->context_text = boost::json::serialize(context);
    for (std::size_t i = 0; i < n; ++i) {
        auto* session = sessions_[job->session_of[i]];
        const Labels labels{{"integration", session->manifest.name}};
        if (session->manifest.cache <= 0) {
            arm_watchdog(job, i);
            submit(job, i);
            continue;
        }
        if (auto hit = cache_.get(job->keys[i])) {
            metrics_.add("tj_host_result_cache_hits_total", labels);
            settle(job, i, cached_outcome(std::move(*hit)));
            continue;
        }
        metrics_.add("tj_host_result_cache_misses_total", labels);
        arm_watchdog(job, i);
        const bool leads = cache_.join(job->keys[i], [this, job, i](const std::optional<boost::json::array>& results) {
            if (results) {
                settle(job, i, cached_outcome(*results));
            } else {
                submit(job, i);  // the leader failed: try for ourselves
            }
        });
        if (leads) {
            {
                tjc::MutexLock lock(job->mutex);
                job->leads[i] = true;
            }
            lead(job, i);
        }
    }
}

// The watchdog first: a completion may arrive before submit() returns to us.
void IntegrationRunner::arm_watchdog(const std::shared_ptr<Job>& job, std::size_t i) {
    tjc::MutexLock lock(job->mutex);
    job->timers[i] = timer_.at(job->started + deadline_ + kGrace, [this, job, i] {
        std::uint64_t ticket_to_cancel = 0;
        bool cancel = false;
        {
            tjc::MutexLock lock(job->mutex);
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

// The tags of keys[i] and the local purge count before the plugin is asked. Called once per
// integration, on the way to the plugin (never on a hit).
IntegrationRunner::TakenTags IntegrationRunner::take_tags(Job& job, std::size_t i) {
    const auto epoch = cache_.epoch();
    auto tags = tags_of(*sessions_[job.session_of[i]], job.context_text);
    tjc::MutexLock lock(job.mutex);
    if (!job.tagged[i]) {
        job.tagged[i] = true;
        job.epochs[i] = epoch;
        job.tags[i] = std::move(tags);
    }
    return {job.tags[i], job.epochs[i]};
}

// This request leads the local flight of keys[i]: the shared cache next, then the plugin.
void IntegrationRunner::lead(const std::shared_ptr<Job>& job, std::size_t i) {
    auto taken = take_tags(*job, i);
    auto* shared = shared_.load();
    if (!shared) {
        return submit(job, i);
    }
    const auto ttl = std::chrono::seconds(sessions_[job->session_of[i]]->manifest.cache);
    const auto tags = taken.tags;
    shared->acquire(job->keys[i], tags, job->started + deadline_, [this, job, i, ttl, taken](SharedAnswer a) {
        switch (a.kind) {
            case SharedAnswer::Kind::hit: {
                const auto keep = std::min<std::chrono::milliseconds>(a.ttl_left, ttl);
                cache_.put(job->keys[i], a.results, keep, taken.tags, taken.epoch);
                settle(job, i, cached_outcome(std::move(a.results)));
                return;
            }
            case SharedAnswer::Kind::lead: {
                tjc::MutexLock lock(job->mutex);
                job->leases[i] = std::move(a.lease);
                break;
            }
            case SharedAnswer::Kind::alone: break;
        }
        submit(job, i);
    });
}

void IntegrationRunner::submit(const std::shared_ptr<Job>& job, std::size_t i) {
    auto* session = sessions_[job->session_of[i]];
    {
        tjc::MutexLock lock(job->mutex);
        if (job->settled[i]) {
            return;  // timed out while it waited
        }
    }
    if (stopping_.load()) {
        IntegrationOutcome o;
        o.kind = IntegrationOutcome::Kind::failed;
        o.error = "the server is stopping";
        settle(job, i, std::move(o));
        return;
    }
    if (session->manifest.cache > 0) {
        take_tags(*job, i);
    }
    const auto spent =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - job->started);
    const auto timeout_ms = static_cast<std::uint32_t>(std::max<std::int64_t>(1, (deadline_ - spent).count()));
    std::uint64_t ticket = 0;
    tj_status st = TJ_STATUS_INTERNAL;
    try {
        st = session->instance->submit(
            job->context_text, timeout_ms,
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
        return;
    }
    tjc::MutexLock lock(job->mutex);
    job->tickets[i] = ticket;
    job->submitted[i] = true;
}

std::vector<std::string> IntegrationRunner::tags_of(const Session& session, const std::string& context_text) const {
    std::vector<std::string> tags;
    const auto r = session.instance->resolve(context_text);
    if (!r.ok()) {
        return tags;
    }
    boost::system::error_code ec;
    const auto v = boost::json::parse(r.payload, ec);
    const auto* projects = !ec && v.is_object() ? v.as_object().if_contains("projects") : nullptr;
    if (!projects || !projects->is_array()) {
        return tags;
    }
    for (const auto& p : projects->as_array()) {
        const auto* slug = p.is_object() ? p.as_object().if_contains("slug") : nullptr;
        if (slug && slug->is_string() && !slug->as_string().empty()) {
            tags.push_back(scoped_tag(session.manifest.name, std::string_view(slug->as_string())));
        }
    }
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    return tags;
}

void IntegrationRunner::invalidate(const std::string& integration, std::string_view tag) {
    const auto scoped = scoped_tag(integration, tag);
    purge_local(scoped);
    if (auto* shared = shared_.load()) {
        shared->purge(scoped);
    }
}

void IntegrationRunner::purge_local(const std::string& scoped) {
    const auto dropped = cache_.purge(scoped);
    const auto integration = scoped.substr(0, scoped.find('\n'));
    metrics_.add("tj_host_result_cache_purged_total", {{"integration", integration}}, static_cast<double>(dropped));
}

void IntegrationRunner::clear_local() { cache_.clear(); }

std::size_t IntegrationRunner::notify_all(const std::string& event_json) {
    std::size_t taken = 0;
    for (auto* s : sessions_) {
        if (s->instance->notify(event_json) == TJ_STATUS_OK) {
            ++taken;
        }
    }
    return taken;
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
        if (ct && ct->is_string() && (ct->as_string() == type || ct->as_string() == "*")) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> IntegrationRunner::reload_all() {
    std::vector<std::string> errors;
    for (auto* s : sessions_) {
        if (const auto reloaded = s->reload(); !reloaded) {
            errors.push_back(s->manifest.name + ": " + reloaded.error());
        }
    }
    cache_.clear();
    return errors;
}

}  // namespace tjhost
