// The host result cache's second level, shared by the replicas of a deployment (Redis:
// redis/shared_cache.hpp). The runner sees only this interface, so it builds and is tested
// without it, and a single replica runs with none.
#pragma once

#include <boost/json/array.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tjhost {

// A claim on computing one key's answer for every replica: while held, the other replicas wait
// for its answer instead of asking the plugin.
struct SharedLease {
    std::string key;  // the host cache key
    std::vector<std::string> tags;
    std::string generations;  // the tags' purge generations when the miss was seen
    std::string lock_id;      // "" when no lock is held
};

struct SharedAnswer {
    enum class Kind {
        hit,    // `results`, kept for `ttl_left` more
        lead,   // run the plugin, then publish() (or abandon()) the lease
        alone,  // run the plugin; nothing to publish (Redis unusable, or waiting took too long)
    };
    Kind kind = Kind::alone;
    boost::json::array results;
    std::chrono::milliseconds ttl_left{0};
    SharedLease lease;
};

class SharedResults {
public:
    using Clock = std::chrono::steady_clock;
    virtual ~SharedResults() = default;

    // [any-thread] Looks for key; on a miss takes its lock or waits for the replica that holds
    // it. `done` runs exactly once, before `deadline`, on the shared cache's thread; never when
    // the server is shutting down.
    virtual void acquire(const std::string& key, std::vector<std::string> tags, Clock::time_point deadline,
                         std::function<void(SharedAnswer)> done) = 0;
    // [any-thread] Stores the answer for ttl (unless a tag was purged since the lease was
    // taken: then it would be out of date) and releases the lock. Fire and forget.
    virtual void publish(const SharedLease& lease, const boost::json::array& results, std::chrono::seconds ttl) = 0;
    // [any-thread] Releases the lock without an answer (the plugin failed). Fire and forget.
    virtual void abandon(const SharedLease& lease) = 0;
    // [any-thread] Every replica drops what it keeps tagged `tag` (scoped by integration).
    virtual void purge(const std::string& tag) = 0;
    // [any-thread] Hands an event to every other replica (they pass it to their plugins).
    virtual void broadcast_event(const std::string& event_json) = 0;
    // [any-thread] Remembers an event id for every replica: done(true) the first time,
    // done(false) for a repeat, done(nullopt) when Redis cannot say. On the shared cache's thread.
    virtual void remember_event(const std::string& id, std::function<void(std::optional<bool>)> done) = 0;
    // [any-thread] Whether sharing works now (for /health).
    [[nodiscard]] virtual bool usable() const = 0;
};

}  // namespace tjhost
