#include "instance/instance.hpp"
#include "tjc/mutex.hpp"

#include "cache/lru_store.hpp"

#include "events/circleci_event.hpp"
#include "instance/callback_thread.hpp"
#include "instance/query_engine.hpp"
#include "mapping/context.hpp"
#include "mapping/explain.hpp"
#include "mapping/resolve.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <pthread.h>

#include <condition_variable>
#include <thread>

namespace tjc {

namespace asio = boost::asio;

namespace {

Expected<std::shared_ptr<const config::Config>> load(const ConfigSource& source) {
    auto loaded = source.file_path.empty() ? config::load_config_text(source.yaml_text)
                                           : config::load_config_file(source.file_path);
    if (!loaded.config) {
        return Error{loaded.diagnostics.to_string()};
    }
    return std::move(loaded.config);
}

}  // namespace

struct Instance::Impl {
    struct Pending {
        Completion done;
        std::atomic<bool> finished{false};
        // query()'s own waiter, not host code: run where the query ends, so that a host
        // callback that blocks the callback thread cannot hold up a blocking query.
        bool internal = false;
    };

    Host host;
    std::shared_ptr<PluginStats> counters = std::make_shared<PluginStats>();  // for the instance's life
    mutable Mutex config_mutex;
    std::shared_ptr<const config::Config> config TJC_GUARDED_BY(config_mutex);

    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    CallbackThread callbacks;
    std::thread io_thread;
    std::unique_ptr<QueryEngine> engine;  // after io: destroyed first

    Mutex pending_mutex;
    std::unordered_map<std::uint64_t, std::shared_ptr<Pending>> pending TJC_GUARDED_BY(pending_mutex);
    std::atomic<std::uint64_t> next_ticket{1};

    std::shared_ptr<const config::Config> current_config() const {
        MutexLock lock(config_mutex);
        return config;
    }

    // A context mapped under the running config. Mapping is pure: it runs on the caller's
    // thread, as do the secret look-ups that follow it.
    struct Resolved {
        std::shared_ptr<const config::Config> config;
        std::shared_ptr<const mapping::Resolution> resolution;
    };
    Expected<Resolved> resolve_context(std::string_view context_json) const {
        auto cfg = current_config();
        // A page is viewed again and again, and its context's text and the config decide its
        // mapping: the recent answers are kept, so that a warm query skips the JSON and URL
        // parsing (most of its time). An answer of another config is not reused. Only contexts
        // of a real page's size are kept (the memory bound: kMaxRememberedContext each).
        const bool rememberable = context_json.size() <= kMaxRememberedContext;
        std::string text(rememberable ? context_json : std::string_view());
        if (auto memo = rememberable ? recent_mappings.get(text) : nullptr; memo && memo->config == cfg) {
            return Resolved{std::move(cfg), memo->resolution};
        }
        auto facts = mapping::parse_context(context_json);
        if (!facts) {
            return Error{facts.error()};
        }
        auto resolution = std::make_shared<const mapping::Resolution>(
            mapping::resolve(cfg->mapping, cfg->circleci.token_secret, facts.value()));
        if (rememberable) {
            recent_mappings.put(text, std::make_shared<const Resolved>(Resolved{cfg, resolution}));
        }
        return Resolved{std::move(cfg), std::move(resolution)};
    }
    static constexpr std::size_t kMaxRememberedContext = 4096;  // ToolJump's contexts: a few hundred bytes
    mutable cache::LruStore<Resolved> recent_mappings{2048};

    Status submit(Expected<Resolved> resolved, std::uint32_t timeout_ms, Completion done, std::uint64_t& ticket,
                  bool internal = false);

    void log(LogLevel level, std::string message) {
        if (!host.log) {
            return;
        }
        callbacks.post([this, level, message = std::move(message)] { host.log(level, message); });
    }

    // The host's cache drops a project's answers; on the callback thread, as TJ_HOST_CACHE_V1 says.
    void invalidate_host_cache(std::string tag) {
        if (!host.invalidate) {
            return;
        }
        callbacks.post([this, tag = std::move(tag)] { host.invalidate(tag); });
    }

    // The single place a query ends: whoever flips `finished` first delivers.
    void complete(std::uint64_t ticket, const std::shared_ptr<Pending>& p, Status status, std::string payload) {
        if (p->finished.exchange(true)) {
            return;
        }
        {
            MutexLock lock(pending_mutex);
            pending.erase(ticket);
        }
        if (p->internal) {
            p->done(ticket, status, payload);
            return;
        }
        callbacks.post([p, ticket, status, payload = std::move(payload)] { p->done(ticket, status, payload); });
    }
};

Instance::Instance(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
    impl_->io_thread = std::thread([io = &impl_->io] {
        pthread_setname_np(pthread_self(), "tjc-io");  // the callback rule: no host code runs here
        io->run();
    });
}

Expected<std::unique_ptr<Instance>> Instance::create(Host host, const ConfigSource& source) {
    auto cfg = load(source);
    if (!cfg) {
        return Error{cfg.error()};
    }
    auto impl = std::make_unique<Impl>();
    impl->host = std::move(host);
    const std::shared_ptr<const config::Config> running = std::move(cfg).value();
    {
        MutexLock lock(impl->config_mutex);
        impl->config = running;
    }
    // The engine logs from the io thread: its log goes through the callback thread, so that
    // the host is never called on the io thread.
    Host engine_host;
    engine_host.secret = impl->host.secret;
    engine_host.log = [impl = impl.get()](LogLevel level, std::string_view message) {
        impl->log(level, std::string(message));
    };
    if (impl->host.invalidate) {
        engine_host.invalidate = [impl = impl.get()](std::string_view tag) {
            impl->invalidate_host_cache(std::string(tag));
        };
    }
    impl->engine = std::make_unique<QueryEngine>(impl->io, std::move(engine_host), running, impl->counters);
    impl->engine->warm(running);
    return std::unique_ptr<Instance>(new Instance(std::move(impl)));
}

Instance::~Instance() {
    std::vector<std::pair<std::uint64_t, std::shared_ptr<Impl::Pending>>> left;
    {
        MutexLock lock(impl_->pending_mutex);
        left.assign(impl_->pending.begin(), impl_->pending.end());
    }
    for (auto& [ticket, p] : left) {
        impl_->complete(ticket, p, Status::cancelled, "cancelled: the instance is being destroyed");
    }
    impl_->work.reset();
    impl_->io.stop();
    if (impl_->io_thread.joinable()) {
        impl_->io_thread.join();
    }
    impl_->callbacks.stop();  // delivers what is queued, then joins
}

Expected<Done> Instance::reload(const ConfigSource& source) {
    auto cfg = load(source);
    if (!cfg) {
        impl_->log(LogLevel::warn, "reload rejected, keeping the running config: " + cfg.error());
        return Error{cfg.error()};
    }
    {
        MutexLock lock(impl_->config_mutex);
        impl_->config = std::move(cfg).value();
        impl_->recent_mappings.clear();  // each holds the config it was made under
        impl_->engine->reconfigure(impl_->config);
        impl_->engine->warm(impl_->config);
    }
    impl_->log(LogLevel::info, "config reloaded");
    return Done{};
}

Status Instance::Impl::submit(Expected<Resolved> resolved, std::uint32_t timeout_ms, Completion done,
                              std::uint64_t& ticket, bool internal) {
    auto p = std::make_shared<Pending>();
    p->done = std::move(done);
    p->internal = internal;
    ticket = next_ticket.fetch_add(1, std::memory_order_relaxed);
    const std::size_t bound = current_config()->limits.max_queued_queries;
    {
        MutexLock lock(pending_mutex);
        if (pending.size() >= bound) {
            ticket = 0;
            return Status::busy;
        }
        pending.emplace(ticket, p);
    }
    PluginStats::bump(counters->queries);
    if (!resolved) {
        complete(ticket, p, Status::invalid_argument, resolved.error());
        return Status::ok;
    }
    const auto& [cfg, resolution] = resolved.value();
    auto now = engine->start(*resolution, cfg, timeout_ms, [this, ticket, p](Status s, std::string payload) {
        complete(ticket, p, s, std::move(payload));
    });
    if (now) {
        complete(ticket, p, Status::ok, std::move(*now));
    }
    return Status::ok;
}

Status Instance::submit(std::string_view context_json, std::uint32_t timeout_ms, Completion done,
                        std::uint64_t& ticket) {
    return impl_->submit(impl_->resolve_context(context_json), timeout_ms, std::move(done), ticket);
}

Status Instance::cancel(std::uint64_t ticket) {
    std::shared_ptr<Impl::Pending> p;
    {
        MutexLock lock(impl_->pending_mutex);
        auto it = impl_->pending.find(ticket);
        if (it == impl_->pending.end()) {
            return Status::unknown_ticket;
        }
        p = it->second;
    }
    impl_->complete(ticket, p, Status::cancelled, "cancelled");
    return Status::ok;
}

Status Instance::query(std::string_view context_json, std::uint32_t timeout_ms, std::string& out) {
    if (CallbackThread::on_this_thread()) {
        out = "query() called from inside a plugin callback would deadlock";
        return Status::invalid_argument;
    }
    // A cache hit is answered here, on the caller's thread, without a ticket or a thread hop.
    auto resolved = impl_->resolve_context(context_json);
    if (resolved) {
        if (auto hit = impl_->engine->peek(*resolved->resolution, resolved->config)) {
            PluginStats::bump(impl_->counters->queries);
            out = std::move(*hit);
            return Status::ok;
        }
    }
    struct Waiter {
        Mutex mutex;
        std::condition_variable cv;
        bool done TJC_GUARDED_BY(mutex) = false;
        Status status TJC_GUARDED_BY(mutex) = Status::internal;
        std::string payload TJC_GUARDED_BY(mutex);
    };
    auto w = std::make_shared<Waiter>();
    std::uint64_t ticket = 0;
    const auto accepted = impl_->submit(
        std::move(resolved), timeout_ms,
        [w](std::uint64_t, Status s, std::string_view payload) {
            MutexLock lock(w->mutex);
            w->status = s;
            w->payload.assign(payload);
            w->done = true;
            w->cv.notify_all();
        },
        ticket, true);
    if (accepted != Status::ok) {
        out = "busy: " + std::to_string(impl_->current_config()->limits.max_queued_queries) +
              " queries in flight (limits.max_queued_queries); retry later";
        return accepted;
    }
    MutexLock lock(w->mutex);
    while (!w->done) {
        lock.wait(w->cv);
    }
    out = std::move(w->payload);
    return w->status;
}

Status Instance::resolve(std::string_view context_json, std::string& out) {
    auto resolved = impl_->resolve_context(context_json);
    if (!resolved) {
        out = resolved.error();
        return Status::invalid_argument;
    }
    const auto& resolution = *resolved->resolution;
    out = boost::json::serialize(mapping::to_json(resolution));
    return resolution.projects.empty() ? Status::no_match : Status::ok;
}

Status Instance::notify(std::string_view event_json, std::string& problem) {
    const auto parsed = events::parse_event(event_json);
    if (parsed.outcome == events::ParsedEvent::Outcome::invalid) {
        problem = parsed.problem;
        return Status::invalid_argument;
    }
    if (parsed.outcome == events::ParsedEvent::Outcome::not_ours) {
        return Status::no_match;
    }
    const auto& change = parsed.change;
    const auto dropped = impl_->engine->invalidate_project(change.slug, change.branch);
    impl_->log(LogLevel::debug, "event " + change.type + " " + change.id + ": " + std::to_string(dropped) +
                                    " cached answer(s) of " + change.slug + " (branch '" + change.branch +
                                    "') outdated");
    impl_->invalidate_host_cache(change.slug);
    return Status::ok;
}

void Instance::report_invalid_call(std::string_view message) { impl_->log(LogLevel::warn, std::string(message)); }

bool Instance::refuse_destroy_here() {
    if (!impl_->callbacks.is_current()) {
        return false;
    }
    impl_->log(LogLevel::error,
               "destroy() called from inside one of this instance's callbacks was refused (it would deadlock); "
               "call it from a host thread");
    return true;
}

std::string Instance::stats_json() const { return impl_->counters->to_json(); }

std::vector<std::string> Instance::secret_names() const { return impl_->current_config()->secret_names(); }

std::vector<std::string> Instance::custom_domains() const { return impl_->current_config()->custom_domains(); }

}  // namespace tjc
