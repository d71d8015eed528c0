#include "redis/shared_cache.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>

namespace tjhost::redis {

namespace {

// KEYS[1] the answer, KEYS[2..] its tags' generation keys. Returns {found, results, pttl,
// generations now}: found only when stored under the generations of now.
constexpr const char* kLookup = R"lua(
local gens = {}
for i = 2, #KEYS do gens[#gens + 1] = redis.call('GET', KEYS[i]) or '0' end
local now = table.concat(gens, ' ')
local v = redis.call('GET', KEYS[1])
if v then
  local nl = string.find(v, '\n', 1, true)
  if nl and string.sub(v, 1, nl - 1) == now then
    return {1, string.sub(v, nl + 1), redis.call('PTTL', KEYS[1]), now}
  end
end
return {0, '', 0, now}
)lua";

// KEYS[1] the answer, KEYS[2] its lock, KEYS[3..] generation keys; ARGV: generations at the
// miss, results, ttl ms, lock id. Stores only if no tag was purged meanwhile; unlocks if ours.
constexpr const char* kStore = R"lua(
local gens = {}
for i = 3, #KEYS do gens[#gens + 1] = redis.call('GET', KEYS[i]) or '0' end
local stored = 0
if table.concat(gens, ' ') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1] .. '\n' .. ARGV[2], 'PX', ARGV[3])
  stored = 1
end
if ARGV[4] ~= '' and redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
return stored
)lua";

// KEYS[1] a lock; ARGV[1] our id: deleted only if still ours.
constexpr const char* kUnlock = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

// KEYS[1] a tag's generation; ARGV: channel, message. Kept longer than any answer (30 days at
// most, the manifest's bound), so that an old answer can never match a generation again.
constexpr const char* kPurge = R"lua(
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 2764800000)
return redis.call('PUBLISH', ARGV[1], ARGV[2])
)lua";

std::string hex(const unsigned char* data, std::size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 15];
    }
    return out;
}

std::string random_id() {
    unsigned char bytes[8];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        throw std::runtime_error("no random bytes for the replica id");
    }
    return hex(bytes, sizeof bytes);
}

std::string generation_key(const std::string& scoped_tag) {
    // "<integration>\n<tag>" -> "tj:g:<integration>:<tag>"
    std::string k = "tj:g:" + scoped_tag;
    for (auto& c : k) {
        if (c == '\n') {
            c = ':';
        }
    }
    return k;
}

std::string lock_key(const std::string& cache_key) { return "tj:l:" + entry_key(cache_key).substr(5); }

}  // namespace

std::string entry_key(const std::string& cache_key) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(cache_key.data()), cache_key.size(), digest);
    return "tj:r:" + hex(digest, sizeof digest);
}

struct SharedCache::Flight {
    std::string key;
    std::vector<std::string> tags;
    std::vector<std::string> keys;  // EVAL's KEYS for the lookup: the answer, then generations
    Clock::time_point deadline;
    SharedFlight machine;
    std::function<void(SharedAnswer)> done;
    SharedAnswer answer;
    std::string lock_id;
    bool counted = false;  // hit or miss counted once per acquire
};

void SharedCache::declare_metrics(Metrics& m) {
    m.counter("tj_host_redis_cache_total",
              "Shared (Redis) result cache look-ups after a local miss: hit, miss (this replica ran the plugin), "
              "error (Redis failed or was skipped: the plugin ran, nothing shared).");
    m.counter("tj_host_redis_waits_total", "Look-ups that waited for another replica's answer (its lock was held).");
    m.gauge("tj_host_redis_up", "1 while the command connection to Redis is up and its breaker closed.");
    m.gauge("tj_host_redis_breaker_state", "The Redis breaker: 0 closed, 1 half-open (one probe), 2 open.");
    m.counter("tj_host_redis_breaker_trips_total", "Times the Redis breaker opened.");
    m.counter("tj_host_redis_errors_total",
              "Redis calls that failed or were not tried (timeout, connection, breaker open).");
    m.counter("tj_host_redis_purges_total", "Tag purges: sent (this replica's plugins asked) or received (another's).");
}

SharedCache::SharedCache(ClientOptions options, SharedCacheHandlers handlers, Metrics& metrics)
    : metrics_(metrics), handlers_(std::move(handlers)), replica_id_(random_id()) {
    const auto db = std::to_string(options.endpoint.db);
    purge_channel_ = "tj:" + db + ":inv";
    event_channel_ = "tj:" + db + ":ev";
    options.channels = {purge_channel_, event_channel_};
    client_ = std::make_unique<Client>(
        std::move(options),
        [this](const std::string& channel, const std::string& payload) { on_message(channel, payload); },
        [this] {
            if (handlers_.on_resync) {
                handlers_.on_resync();
            }
        });
}

SharedCache::~SharedCache() { shutdown(); }

void SharedCache::shutdown() { client_->shutdown(); }

bool SharedCache::usable() const { return client_->health().usable(); }

void SharedCache::record_health() {
    const auto h = client_->health();
    metrics_.set("tj_host_redis_up", {}, h.usable() ? 1 : 0);
    metrics_.set("tj_host_redis_breaker_state", {},
                 h.breaker == Breaker::State::closed      ? 0
                 : h.breaker == Breaker::State::half_open ? 1
                                                          : 2);
    metrics_.set("tj_host_redis_breaker_trips_total", {}, static_cast<double>(h.breaker_trips));
    metrics_.set("tj_host_redis_errors_total", {}, static_cast<double>(h.errors));
}

void SharedCache::acquire(const std::string& key, std::vector<std::string> tags, Clock::time_point deadline,
                          std::function<void(SharedAnswer)> done) {
    const auto now = Clock::now();
    auto f = std::make_shared<Flight>(
        Flight{key, std::move(tags), {}, deadline, SharedFlight(now, deadline), std::move(done), {}, {}, false});
    f->keys.push_back(entry_key(key));
    for (const auto& t : f->tags) {
        f->keys.push_back(generation_key(t));
    }
    f->answer.lease.key = key;
    f->answer.lease.tags = f->tags;
    step(f, f->machine.start());
}

void SharedCache::step(const std::shared_ptr<Flight>& f, SharedFlight::Step s) {
    using Action = SharedFlight::Action;
    auto finish = [&](SharedAnswer::Kind kind, const char* result) {
        if (!f->counted) {
            metrics_.add("tj_host_redis_cache_total", {{"result", result}});
            f->counted = true;
        }
        f->answer.kind = kind;
        auto done = std::move(f->done);
        done(std::move(f->answer));
    };
    switch (s.action) {
        case Action::lookup:
            if (s.wait.count() > 0) {
                if (f->machine.polls() == 1) {
                    metrics_.add("tj_host_redis_waits_total", {});
                }
                client_->after(s.wait, [this, f] { lookup(f); });
            } else {
                lookup(f);
            }
            return;
        case Action::lock: return lock(f);
        case Action::serve_hit: return finish(SharedAnswer::Kind::hit, "hit");
        case Action::lead: f->answer.lease.lock_id = f->lock_id; return finish(SharedAnswer::Kind::lead, "miss");
        case Action::alone:
            f->answer.lease = {};
            return finish(SharedAnswer::Kind::alone, f->machine.polls() > 0 ? "miss" : "error");
    }
}

void SharedCache::lookup(const std::shared_ptr<Flight>& f) {
    std::vector<std::string> args{"EVAL", kLookup, std::to_string(f->keys.size())};
    args.insert(args.end(), f->keys.begin(), f->keys.end());
    client_->call(std::move(args), [this, f](Result r) {
        auto result = SharedFlight::Lookup::error;
        const auto& e = r.value.elements;
        if (r.ok && r.value.type == Value::Type::array && e.size() == 4) {
            f->answer.lease.generations = e[3].str;
            result = SharedFlight::Lookup::miss;
            if (e[0].integer == 1) {
                boost::system::error_code ec;
                auto parsed = boost::json::parse(e[1].str, ec);
                if (!ec && parsed.is_array()) {
                    f->answer.results = std::move(parsed.as_array());
                    f->answer.ttl_left = std::chrono::milliseconds(std::max<long long>(e[2].integer, 0));
                    result = SharedFlight::Lookup::hit;
                }
            }
        }
        step(f, f->machine.on_lookup(result, Clock::now()));
    });
}

void SharedCache::lock(const std::shared_ptr<Flight>& f) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(f->deadline - Clock::now());
    // Held a second past our deadline at most: a replica that dies holding it does not stall others for long.
    const auto hold = std::max<long long>(left.count(), 0) + 1000;
    f->lock_id = replica_id_ + ":" + std::to_string(next_lock_.fetch_add(1));
    client_->call({"SET", lock_key(f->key), f->lock_id, "NX", "PX", std::to_string(hold)}, [this, f](Result r) {
        auto result = SharedFlight::Lock::error;
        if (r.ok) {
            result = r.value.is_nil() ? SharedFlight::Lock::held : SharedFlight::Lock::acquired;
        }
        step(f, f->machine.on_lock(result, Clock::now()));
    });
}

void SharedCache::publish(const SharedLease& lease, const boost::json::array& results, std::chrono::seconds ttl) {
    if (lease.key.empty() || ttl.count() <= 0) {
        return;
    }
    std::vector<std::string> args{"EVAL", kStore, std::to_string(2 + lease.tags.size()), entry_key(lease.key),
                                  lock_key(lease.key)};
    for (const auto& t : lease.tags) {
        args.push_back(generation_key(t));
    }
    args.push_back(lease.generations);
    args.push_back(boost::json::serialize(results));
    args.push_back(std::to_string(std::chrono::milliseconds(ttl).count()));
    args.push_back(lease.lock_id);
    client_->call(std::move(args), [](Result) {});
}

void SharedCache::abandon(const SharedLease& lease) {
    if (lease.lock_id.empty()) {
        return;
    }
    client_->call({"EVAL", kUnlock, "1", lock_key(lease.key), lease.lock_id}, [](Result) {});
}

void SharedCache::purge(const std::string& tag) {
    metrics_.add("tj_host_redis_purges_total", {{"direction", "sent"}});
    client_->call({"EVAL", kPurge, "1", generation_key(tag), purge_channel_, replica_id_ + "\n" + tag}, [](Result) {});
}

void SharedCache::broadcast_event(const std::string& event_json) {
    client_->call({"PUBLISH", event_channel_, replica_id_ + "\n" + event_json}, [](Result) {});
}

void SharedCache::remember_event(const std::string& id, std::function<void(std::optional<bool>)> done) {
    client_->call({"SET", "tj:e:" + id, "1", "NX", "PX", "86400000"}, [done = std::move(done)](Result r) {
        if (!r.ok) {
            return done(std::nullopt);
        }
        done(!r.value.is_nil());
    });
}

void SharedCache::on_message(const std::string& channel, const std::string& payload) {
    const auto nl = payload.find('\n');
    if (nl == std::string::npos || payload.compare(0, nl, replica_id_) == 0) {
        return;  // malformed, or our own
    }
    const auto body = payload.substr(nl + 1);
    if (channel == purge_channel_ && handlers_.on_purge) {
        metrics_.add("tj_host_redis_purges_total", {{"direction", "received"}});
        handlers_.on_purge(body);
    } else if (channel == event_channel_ && handlers_.on_event) {
        handlers_.on_event(body);
    }
}

}  // namespace tjhost::redis
