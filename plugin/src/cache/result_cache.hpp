// The rendered-results cache: TTL, single flight, stale-while-revalidate, stale-on-error and
// LRU bounds on entries and bytes. Values are finished results JSON, so a hit costs a lookup
// and a shared_ptr copy: nothing is re-rendered on the hot path. Thread-safe; no I/O: the
// caller fetches when told to, and reports back with complete().
#pragma once

#include "tjc/mutex.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tjc::cache {

using Clock = std::chrono::steady_clock;
using Value = std::shared_ptr<const std::string>;

struct CacheSettings {
    std::chrono::milliseconds ttl{60'000};                // fresh for this long
    std::chrono::milliseconds max_stale{24 * 3'600'000};  // stale entries are served up to this age
    std::size_t max_entries = 20'000;
    std::size_t max_bytes = 64u << 20;
};

// What lookup() may do with a stale entry: claim its one refresh (the caller then runs it), or
// leave it to another caller (a peek that never fetches).
enum class Refresh { claim, leave };

class ResultCache {
public:
    explicit ResultCache(CacheSettings settings = {});

    enum class State { miss, fresh, stale };
    struct Hit {
        State state = State::miss;
        Value value;                   // null on miss
        Clock::time_point fetched_at;  // when value was fetched
        bool refresh = false;          // stale: the caller is the one to start the single refresh
    };

    // Fresh: the value. Stale (past ttl, within max_stale): the value, and refresh=true for
    // exactly one caller until complete() is called for the key. Miss: nothing.
    // claim_refresh false: only look (the caller will not refresh), leaving the claim to the
    // next caller that can.
    Hit lookup(const std::string& key, Clock::time_point now, Refresh refresh = Refresh::claim);

    // Single flight for misses: returns true when the caller leads (must fetch and then call
    // complete()); false when a fetch is already running, and then `waiter` is called by
    // that fetch's complete(); false too when a flight ended since the caller's lookup, and
    // then `waiter` is called at once, here, with its fresh value.
    using Waiter = std::function<void(const Value& value, Clock::time_point fetched_at)>;
    bool join(const std::string& key, Waiter waiter, Clock::time_point now = Clock::now());

    // Ends the fetch for key. A value is stored (errors pass null and never replace a good
    // entry); returns the waiters to run, outside the lock, with what they should serve:
    // the new value, or the last good one, or null.
    struct Completion {
        std::vector<Waiter> waiters;
        Value value;
        Clock::time_point fetched_at;
    };
    Completion complete(const std::string& key, Value value, Clock::time_point now);

    // The last good value whatever its age (for stale-on-error), or null.
    Hit last_good(const std::string& key);

    // Marks every entry whose key `concerns` says yes as outdated (an event said its data
    // changed): lookup() and join() treat it as a miss, so the next query fetches (once, single
    // flight), while last_good() still has it for stale-on-error. Returns how many were marked.
    std::size_t invalidate_if(const std::function<bool(const std::string& key)>& concerns);

    // New bounds and ttl (a reload); entries over the bounds go at once.
    void set_settings(CacheSettings settings);
    void clear();
    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] std::size_t bytes() const;

private:
    struct Entry {
        std::string key;
        Value value;
        Clock::time_point fetched_at;
        bool refreshing = false;
        bool outdated = false;  // invalidate_if(): a miss for lookup() and join()
    };
    using List = std::list<Entry>;

    void evict_locked() TJC_REQUIRES(mutex_);
    // What an entry holds in memory: the strings' capacity (not their size) and the nodes.
    static std::size_t cost(const Entry& e) {
        return e.key.capacity() + (e.value ? e.value->capacity() : 0) + sizeof(Entry) + 96;
    }

    mutable Mutex mutex_;
    CacheSettings settings_ TJC_GUARDED_BY(mutex_);
    List lru_ TJC_GUARDED_BY(mutex_);  // most recently used first
    std::unordered_map<std::string, List::iterator> index_ TJC_GUARDED_BY(mutex_);
    std::unordered_map<std::string, std::vector<Waiter>> inflight_ TJC_GUARDED_BY(mutex_);
    std::size_t bytes_ TJC_GUARDED_BY(mutex_) = 0;
};

}  // namespace tjc::cache
