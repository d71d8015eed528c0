// ToolJump's per-integration result cache, kept by `tj-host serve`: an integration's
// successful results are kept for its manifest's `cache` seconds under the values of its
// `cacheKey` context paths. Failures are never stored. Each entry carries tags (the project
// slugs the plugin's resolve() gave for that context, scoped by integration) and purge(tag)
// drops every entry so tagged, as a CDN purges by surrogate key. Single flight: one request
// per key runs the integration while the others wait for its answer. Thread-safe; the clock
// is injected.
#pragma once

#include "tjc/mutex.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace tjhost {

// The key of a context for one integration: its name, the context's type and the JSON of the
// values at `paths` (null when absent), so that contexts differing anywhere the plugin reads
// get different keys.
std::string cache_key(const std::string& integration, const std::vector<std::string>& paths,
                      const boost::json::value& context);

// A tag scoped to its integration ("<integration>\n<lower-case tag>"): one plugin's purge
// never drops another's answers.
std::string scoped_tag(const std::string& integration, std::string_view tag);

class HostResultCache {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    explicit HostResultCache(std::size_t max_entries = 10000, Clock clock = std::chrono::steady_clock::now);

    [[nodiscard]] std::optional<boost::json::array> get(const std::string& key);

    // The purge count now: take it before asking the plugin, hand it to put(), so that an
    // answer computed before a purge of one of its tags is not stored after it.
    [[nodiscard]] std::uint64_t epoch() const;
    // ttl 0: not stored. Not stored either when one of `tags` was purged after `since`.
    void put(const std::string& key, const boost::json::array& results, std::chrono::milliseconds ttl,
             const std::vector<std::string>& tags = {}, std::uint64_t since = 0);
    // Drops every entry tagged `tag` (scoped); returns how many.
    std::size_t purge(const std::string& tag);
    void clear();
    [[nodiscard]] std::size_t size() const;

    // Single flight. join(): true when the caller leads (it runs the integration, then calls
    // finish()); false when a flight for key is under way, and `waiter` then runs from the
    // leader's finish() with its results, or with nullopt when it failed (the waiter then runs
    // the integration itself).
    using Waiter = std::function<void(const std::optional<boost::json::array>& results)>;
    bool join(const std::string& key, Waiter waiter);
    // Ends the flight: returns its waiters, to be called outside any lock.
    std::vector<Waiter> finish(const std::string& key);

private:
    struct Entry {
        std::chrono::steady_clock::time_point expires;
        boost::json::array results;
        std::vector<std::string> tags;
    };
    void drop_locked(std::map<std::string, Entry>::iterator it) TJC_REQUIRES(mutex_);

    std::size_t max_entries_;
    Clock clock_;
    mutable tjc::Mutex mutex_;
    std::map<std::string, Entry> entries_ TJC_GUARDED_BY(mutex_);
    std::unordered_map<std::string, std::set<std::string>> tagged_ TJC_GUARDED_BY(mutex_);  // tag -> keys
    std::unordered_map<std::string, std::uint64_t> purged_at_ TJC_GUARDED_BY(mutex_);  // tag -> epoch of its last purge
    std::uint64_t epoch_ TJC_GUARDED_BY(mutex_) = 0;                                   // purges so far
    std::uint64_t forgotten_before_ TJC_GUARDED_BY(mutex_) = 0;  // purged_at_ was emptied at this epoch
    std::unordered_map<std::string, std::vector<Waiter>> flights_ TJC_GUARDED_BY(mutex_);
};

}  // namespace tjhost
