// ToolJump's per-integration result cache, kept by `tj-host serve`: an integration's
// successful results are kept for its manifest's `cache` seconds under the values of its
// `cacheKey` context paths. Failures are never stored. Thread-safe; the clock is injected.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tjhost {

// The key of a context for one integration: its name, the context's type and the JSON of the
// values at `paths` (null when absent), so that contexts differing anywhere the plugin reads
// get different keys.
std::string cache_key(const std::string& integration, const std::vector<std::string>& paths,
                      const boost::json::value& context);

class HostResultCache {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    explicit HostResultCache(std::size_t max_entries = 10000, Clock clock = std::chrono::steady_clock::now);

    [[nodiscard]] std::optional<boost::json::array> get(const std::string& key);
    // ttl 0: not stored.
    void put(const std::string& key, const boost::json::array& results, std::chrono::seconds ttl);
    void clear();
    [[nodiscard]] std::size_t size() const;

private:
    struct Entry {
        std::chrono::steady_clock::time_point expires;
        boost::json::array results;
    };
    std::size_t max_entries_;
    Clock clock_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
};

}  // namespace tjhost
