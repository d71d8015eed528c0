#include "instance/query_engine.hpp"
#include "tjc/mutex.hpp"

#include "cache/lru_store.hpp"
#include "cards/error_card.hpp"
#include "cards/render.hpp"
#include "circleci/client.hpp"
#include "instance/runtime.hpp"
#include "net/http_client.hpp"
#include "plan/fetch_plan.hpp"
#include "util/wipe.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tjc {

namespace asio = boost::asio;
using cache::Clock;

namespace {

cache::CacheSettings cache_settings(const config::CacheConfig& c) {
    cache::CacheSettings s;
    s.ttl = std::chrono::seconds(c.ttl_s);
    s.max_stale = std::chrono::seconds(std::max(c.max_stale_s, c.ttl_s));
    s.max_entries = c.max_entries;
    s.max_bytes = c.max_bytes;
    return s;
}

// "[a,b]" + "[c]" -> "[a,b,c]"; parts are JSON arrays as rendered by Impl::cards_json.
std::string join_arrays(const std::vector<std::string_view>& parts) {
    std::string out = "[";
    for (auto p : parts) {
        if (p.size() <= 2) {
            continue;  // "[]"
        }
        if (out.size() > 1) {
            out += ',';
        }
        out.append(p.substr(1, p.size() - 2));
    }
    out += ']';
    return out;
}

circleci::Timestamp system_now() {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace

struct QueryEngine::Impl : std::enable_shared_from_this<QueryEngine::Impl> {
    // One query waiting for its projects' cards.
    struct Pending {
        Mutex mutex;
        std::vector<std::optional<std::string>> parts TJC_GUARDED_BY(mutex);
        std::size_t missing TJC_GUARDED_BY(mutex) = 0;
        bool finished TJC_GUARDED_BY(mutex) = false;
        Done done TJC_GUARDED_BY(mutex);
        std::optional<asio::steady_timer> timer TJC_GUARDED_BY(mutex);
    };

    asio::io_context& io;
    Host host;
    cache::ResultCache results;
    plan::Stores stores;
    std::shared_ptr<Runtime> runtime;       // io thread only
    std::shared_ptr<PluginStats> counters;  // the instance's: outlives reloads (and runtimes)
    std::atomic<std::uint64_t> fetches{0}, fetch_failures{0};
    cache::LruStore<bool> logged_missing{10'000};  // slugs whose 404 was logged

    Impl(asio::io_context& io_, Host host_, const config::Config& cfg, std::shared_ptr<PluginStats> counters_)
        : io(io_),
          host(std::move(host_)),
          results(cache_settings(cfg.cache)),
          stores(cfg.cache),
          counters(std::move(counters_)) {}

    // The runtime of a config, made on first use (on the io thread: the TLS context and its
    // trust store are loaded here, never on a caller's thread).
    std::shared_ptr<Runtime> runtime_for(const std::shared_ptr<const config::Config>& cfg) {
        if (runtime && runtime->config == cfg) {
            return runtime;
        }
        runtime = Runtime::make(io.get_executor(), cfg, counters);
        return runtime;
    }

    // Targets waiting for a slug lookup take the answer CircleCI gave before, if any.
    // Copies only in that case: the hot path reads the caller's resolution as it is.
    const mapping::Resolution& with_known_slugs(const mapping::Resolution& r,
                                                std::optional<mapping::Resolution>& patched) const {
        const bool waits = std::any_of(r.projects.begin(), r.projects.end(),
                                       [](const mapping::ProjectTarget& t) { return t.slug.empty(); });
        if (!waits) {
            return r;
        }
        patched = r;
        stores.slugs.apply(*patched, mapping::SlugCache::Clock::now());
        return *patched;
    }

    static std::string key_of(const mapping::ProjectTarget& t, const config::Config& cfg) {
        // A reload gives new keys: cards rendered under the old config are not served.
        // identity(): every target field that changes the cards (mapping/target.cpp).
        std::string key = t.identity();
        key += std::to_string(cfg.generation);
        return key;
    }

    // One cache look per project. Refresh::claim: this caller may start the refresh of a stale entry.
    // Returns the answer when every project is fresh (the hot path: no rendering, no copy
    // beyond the result), else nullopt with keys and hits left for the slow path.
    std::optional<std::string> look(const std::vector<mapping::ProjectTarget>& projects, const config::Config& cfg,
                                    Clock::time_point now, cache::Refresh refresh, std::vector<std::string>& keys,
                                    std::vector<cache::ResultCache::Hit>& hits) {
        keys.clear();
        hits.clear();
        bool all_fresh = true;
        for (const auto& t : projects) {
            keys.push_back(key_of(t, cfg));
            hits.push_back(known_missing(t) ? no_project_hit(t, now) : results.lookup(keys.back(), now, refresh));
            all_fresh = all_fresh && hits.back().state == cache::ResultCache::State::fresh;
        }
        if (!all_fresh) {
            return std::nullopt;
        }
        PluginStats::bump(counters->cache_hits, projects.size());
        if (hits.size() == 1) {
            return *hits.front().value;
        }
        std::vector<std::string_view> views;
        for (const auto& h : hits) {
            views.emplace_back(*h.value);
        }
        return join_arrays(views);
    }

    // A repository a convention mapped and CircleCI has no project for (most of a company's):
    // the plan remembers the 404 for a while, and until then its neutral card is answered at
    // once, like a fresh hit, without a request and without a note.
    bool known_missing(const mapping::ProjectTarget& t) {
        if (!mapping::is_convention(t.mapped_by) || t.slug.empty()) {
            return false;
        }
        if (!stores.missing.get(t.slug)) {
            return false;
        }
        return std::all_of(t.slug_fallbacks.begin(), t.slug_fallbacks.end(),
                           [this](const std::string& s) { return stores.missing.get(s) != nullptr; });
    }
    cache::ResultCache::Hit no_project_hit(const mapping::ProjectTarget& t, Clock::time_point now) const {
        cache::ResultCache::Hit h;
        h.state = cache::ResultCache::State::fresh;
        h.value = std::make_shared<const std::string>(cards_json({cards::no_project_card(t)}));
        h.fetched_at = now;
        return h;
    }
    // Said once per slug (a convention's 404 is the normal case: not a warning each view).
    bool first_time_missing(const std::string& slug) {
        if (logged_missing.get(slug)) {
            return false;
        }
        logged_missing.put(slug, std::make_shared<const bool>(true));
        return true;
    }

    static void finish(const std::shared_ptr<Pending>& q) {
        std::vector<std::string_view> views;
        Done done;
        std::string payload;
        {
            MutexLock lock(q->mutex);
            if (q->finished) {
                return;
            }
            q->finished = true;
            for (const auto& p : q->parts) {
                views.push_back(p ? std::string_view(*p) : std::string_view("[]"));
            }
            payload = views.size() == 1 ? std::string(views.front()) : join_arrays(views);
            done = std::move(q->done);
            if (q->timer) {
                q->timer->cancel();
            }
        }
        done(Status::ok, std::move(payload));
    }

    static void fill(const std::shared_ptr<Pending>& q, std::size_t i, std::string part) {
        bool complete = false;
        {
            MutexLock lock(q->mutex);
            if (q->finished || q->parts[i]) {
                return;
            }
            q->parts[i] = std::move(part);
            complete = --q->missing == 0;
        }
        if (complete) {
            finish(q);
        }
    }

    // Every card that leaves the plugin passes here: one that breaks ToolJump's schema is a bug,
    // left out (ToolJump would replace it with an error card) and logged loudly.
    std::string cards_json(const std::vector<cards::Card>& cards) const {
        return cards::results_json(cards, [this](const std::string& problem) {
            if (host.log) {
                host.log(LogLevel::error, "BUG: a card broke ToolJump's result schema and was left out: " + problem);
            }
        });
    }

    std::string with_note(const cards::Card& note, const std::string& cards_array) const {
        return join_arrays({cards_json({note}), cards_array});
    }

    // The part to serve when a fetch failed: the last good cards with a note, else `fallback`
    // (the cards of what was fetched) when given, else the error card.
    std::string failure_part(const std::string& key, const mapping::ProjectTarget& target, const config::Config& cfg,
                             cards::FailureKind kind, const std::string& detail,
                             const std::string* fallback = nullptr) {
        auto last = results.last_good(key);
        if (last.value) {
            const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last.fetched_at);
            return with_note(cards::stale_note_card(kind, target, age), *last.value);
        }
        if (fallback) {
            return *fallback;
        }
        return cards_json({cards::error_card(kind, target, cfg.circleci.app_url, detail)});
    }

    void log_failure(const mapping::ProjectTarget& target, const char* what, const plan::FetchFailure& f) const {
        if (!host.log) {
            return;
        }
        host.log(LogLevel::warn, "fetch for " + target.slug + " " + what + ": " +
                                     std::string(cards::to_string(f.kind)) +
                                     (f.detail.empty() ? "" : " (" + f.detail + ")"));
    }

    // A finished fetch as the part to serve, and what to keep for the next queries (null:
    // nothing; a failure, or cards that passing trouble made partial, never poison the cache).
    std::pair<std::string, cache::Value> answer_of(const std::string& key, const mapping::ProjectTarget& target,
                                                   const config::Config& cfg, std::exception_ptr ep,
                                                   const plan::FetchResult& r) {
        if (!ep && r.snapshot) {
            auto cards = cards::render_project(*r.snapshot, {cfg.circleci.app_url, &cfg.cards, system_now()});
            auto json = cards_json(cards);
            if (r.passing_trouble) {
                ++fetch_failures;
                log_failure(target, "partly failed", *r.passing_trouble);
                return {failure_part(key, target, cfg, r.passing_trouble->kind, r.passing_trouble->detail, &json),
                        nullptr};
            }
            json.shrink_to_fit();  // kept for long: the serializer's slack would be most of a small entry
            auto stored = std::make_shared<const std::string>(std::move(json));
            return {*stored, stored};
        }
        ++fetch_failures;
        const auto failure = ep ? plan::FetchFailure{cards::FailureKind::bad_response, "internal error"}
                                : r.failure.value_or(plan::FetchFailure{});
        if (failure.kind == cards::FailureKind::not_found && mapping::is_convention(target.mapped_by)) {
            if (first_time_missing(target.slug) && host.log) {
                host.log(LogLevel::info, "no CircleCI project " + target.slug + " (404, by " + target.rule_label +
                                             "): its pages show the neutral \"no project\" card");
            }
        } else {
            log_failure(target, "failed", failure);
        }
        return {failure_part(key, target, cfg, failure.kind, failure.detail), nullptr};
    }

    // Starts the fetch for key on the io thread; `leader` (may be null) and the cache's
    // waiters get the part when it ends.
    void spawn_fetch(std::string key, mapping::ProjectTarget target, std::shared_ptr<const config::Config> cfg,
                     std::string token, Clock::time_point deadline, std::function<void(const std::string&)> leader) {
        asio::post(io,
                   [self = shared_from_this(), key = std::move(key), target = std::move(target), cfg = std::move(cfg),
                    token = std::move(token), deadline, leader = std::move(leader)]() mutable {
                       auto rt = self->runtime_for(cfg);
                       ++self->fetches;
                       auto on_result = [self, key, target, cfg, leader](std::exception_ptr ep, plan::FetchResult r) {
                           auto [part, stored] = self->answer_of(key, target, *cfg, ep, r);
                           auto completion = self->results.complete(key, stored, Clock::now());
                           const auto shared = std::make_shared<const std::string>(part);
                           for (auto& w : completion.waiters) {
                               w(shared, Clock::now());
                           }
                           if (leader) {
                               leader(part);
                           }
                           // A background refresh replaced cards a host may keep in front of us (with their
                           // "refreshing" note): its cache drops them, so the next view is fresh.
                           if (!leader && stored && self->host.invalidate) {
                               self->host.invalidate(target.slug);
                           }
                       };
                       if (!rt->api) {
                           wipe(token);
                           on_result(nullptr, plan::FetchResult::failed({cards::FailureKind::bad_response, rt->error}));
                           return;
                       }
                       asio::co_spawn(
                           self->io,
                           [rt, &stores = self->stores, target, token = std::move(token),
                            deadline]() mutable -> asio::awaitable<plan::FetchResult> {
                               // A named local, moved in: the plan keeps (and wipes) the only copy.
                               circleci::Credential credential{target.token_secret, std::move(token)};
                               co_return co_await plan::fetch_project(*rt->api, stores, *rt->config, target,
                                                                      std::move(credential), deadline);
                           },
                           std::move(on_result));
                   });
    }
};

QueryEngine::QueryEngine(asio::io_context& io, Host host, std::shared_ptr<const config::Config> config,
                         std::shared_ptr<PluginStats> counters)
    : impl_(std::make_shared<Impl>(io, std::move(host), *config, std::move(counters))) {}

QueryEngine::~QueryEngine() = default;

void QueryEngine::reconfigure(std::shared_ptr<const config::Config> config) {
    impl_->results.set_settings(cache_settings(config->cache));
    impl_->stores.apply(config->cache);
}

void QueryEngine::warm(std::shared_ptr<const config::Config> config) {
    asio::post(impl_->io, [impl = impl_, config = std::move(config)] {
        auto rt = impl->runtime_for(config);
        if (!config->http.prewarm || !rt->api) {
            return;
        }
        const auto& t = config->timeouts;
        const auto deadline =
            net::Clock::now() + std::chrono::milliseconds(std::uint64_t{t.connect_ms} + t.tls_handshake_ms);
        asio::co_spawn(impl->io, rt->http->prewarm(rt->api->api(), deadline), asio::detached);
    });
}

std::optional<std::string> QueryEngine::start(const mapping::Resolution& resolution_in,
                                              const std::shared_ptr<const config::Config>& config,
                                              std::uint32_t timeout_ms, Done done) {
    std::optional<mapping::Resolution> patched;
    const auto& resolution = impl_->with_known_slugs(resolution_in, patched);
    const auto& projects = resolution.projects;
    if (projects.empty()) {
        return std::string("[]");
    }
    const auto now = Clock::now();
    const auto deadline = now + std::chrono::milliseconds(timeout_ms ? timeout_ms : config->timeouts.query_ms);

    std::vector<std::string> keys;
    std::vector<cache::ResultCache::Hit> hits;
    if (auto answer = impl_->look(projects, *config, now, cache::Refresh::claim, keys, hits)) {
        return answer;
    }

    std::vector<std::optional<std::string>> parts(projects.size());
    auto token_for = [&](const mapping::ProjectTarget& t) {
        // The host's get_secret runs here, on the submitting thread, never on the io thread.
        // Moved along, never copied: the fetch wipes its copy when it ends.
        auto token = impl_->host.secret ? impl_->host.secret(t.token_secret) : std::nullopt;
        return token ? std::move(*token) : std::string();
    };
    std::vector<std::size_t> misses;
    for (std::size_t i = 0; i < projects.size(); ++i) {
        const auto& t = projects[i];
        auto& hit = hits[i];
        if (hit.state == cache::ResultCache::State::fresh) {
            PluginStats::bump(impl_->counters->cache_hits);
            parts[i] = *hit.value;
        } else if (hit.state == cache::ResultCache::State::stale) {
            PluginStats::bump(impl_->counters->cache_stale);
            // Served at once, its age said; one refresh runs behind it.
            const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - hit.fetched_at);
            parts[i] = impl_->with_note(cards::refreshing_note_card(age), *hit.value);
            if (hit.refresh) {
                impl_->spawn_fetch(keys[i], t, config, token_for(t), deadline, nullptr);
            }
        } else {
            PluginStats::bump(impl_->counters->cache_misses);
            misses.push_back(i);
        }
    }
    if (misses.empty()) {
        std::vector<std::string_view> views;
        for (const auto& p : parts) {
            views.push_back(*p);
        }
        return views.size() == 1 ? std::string(views.front()) : join_arrays(views);
    }
    auto q = std::make_shared<Impl::Pending>();
    {
        MutexLock lock(q->mutex);
        q->parts = std::move(parts);
        q->done = std::move(done);
        // Counted before any waiter can run: a fetch may end on the io thread at once.
        q->missing = misses.size();
    }
    for (auto i : misses) {
        const auto& t = projects[i];
        const bool leads = impl_->results.join(
            keys[i], [q, i](const cache::Value& part, Clock::time_point) { Impl::fill(q, i, *part); });
        if (leads) {
            impl_->spawn_fetch(keys[i], t, config, token_for(t), deadline,
                               [q, i](const std::string& part) { Impl::fill(q, i, part); });
        }
    }
    // The query's own deadline: what is still missing then becomes a timeout card (or the
    // last good cards with a note).
    asio::post(impl_->io, [impl = impl_, q, deadline, projects, keys, config] {
        MutexLock lock(q->mutex);
        if (q->finished) {
            return;
        }
        q->timer.emplace(impl->io, deadline);
        q->timer->async_wait([impl, q, projects, keys, config](boost::system::error_code ec) {
            if (ec) {
                return;
            }
            for (std::size_t i = 0; i < projects.size(); ++i) {
                Impl::fill(q, i, impl->failure_part(keys[i], projects[i], *config, cards::FailureKind::timeout, ""));
            }
        });
    });
    return std::nullopt;
}

std::optional<std::string> QueryEngine::peek(const mapping::Resolution& resolution_in,
                                             const std::shared_ptr<const config::Config>& config) {
    std::optional<mapping::Resolution> patched;
    const auto& resolution = impl_->with_known_slugs(resolution_in, patched);
    if (resolution.projects.empty()) {
        return std::string("[]");
    }
    std::vector<std::string> keys;
    std::vector<cache::ResultCache::Hit> hits;
    return impl_->look(resolution.projects, *config, Clock::now(), cache::Refresh::leave, keys, hits);
}

namespace {

// Keys are ProjectTarget::identity() (mapping/target.cpp) and the config generation: fields of
// "<tag><length>:<value>\n", the slug under 's', the branch under 'b', branch candidates under
// 'B'. An answer concerns the event when its slug is the project's (without case) and it shows
// that branch, or the default one ("" may be that branch), or has it among its candidates.
bool key_concerns(const std::string& key, std::string_view slug, std::string_view branch) {
    bool slug_matches = false, branch_matches = false, has_branch = false;
    for (std::size_t at = 0; at < key.size();) {
        const char tag = key[at];
        const auto colon = key.find(':', at + 1);
        if (colon == std::string::npos) {
            break;
        }
        std::size_t len = 0;
        const auto digits = std::string_view(key).substr(at + 1, colon - at - 1);
        if (digits.empty() || std::from_chars(digits.data(), digits.data() + digits.size(), len).ec != std::errc{} ||
            colon + 1 + len > key.size()) {
            break;  // the generation's digits, at the end
        }
        const auto value = std::string_view(key).substr(colon + 1, len);
        if (tag == 's') {
            slug_matches =
                value.size() == slug.size() && std::equal(value.begin(), value.end(), slug.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) == static_cast<unsigned char>(b);
                });
        } else if (tag == 'b') {
            has_branch = !value.empty();
            branch_matches = branch_matches || value == branch;
        } else if (tag == 'B') {
            branch_matches = branch_matches || value == branch;
        }
        at = colon + 1 + len + 1;
    }
    return slug_matches && (!has_branch || branch_matches);
}

}  // namespace

std::size_t QueryEngine::invalidate_project(std::string_view slug, std::string_view branch) {
    return impl_->results.invalidate_if(
        [slug, branch](const std::string& key) { return key_concerns(key, slug, branch); });
}

QueryEngine::Stats QueryEngine::stats() const {
    const auto& c = *impl_->counters;
    return {c.cache_hits.load(), c.cache_stale.load(), c.cache_misses.load(), impl_->fetches.load(),
            impl_->fetch_failures.load()};
}

}  // namespace tjc
