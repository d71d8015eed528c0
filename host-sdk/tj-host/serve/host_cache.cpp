#include "host_cache.hpp"

#include "match.hpp"

#include <boost/json/serialize.hpp>

namespace tjhost {

std::string cache_key(const std::string& integration, const std::vector<std::string>& paths,
                      const boost::json::value& context) {
    boost::json::array values;
    const auto* type = lookup(context, "type");
    values.push_back(type ? *type : nullptr);
    for (const auto& p : paths) {
        const auto* v = lookup(context, p);
        values.push_back(v ? *v : nullptr);
    }
    return integration + '\n' + boost::json::serialize(values);
}

HostResultCache::HostResultCache(std::size_t max_entries, Clock clock)
    : max_entries_(max_entries), clock_(std::move(clock)) {}

std::optional<boost::json::array> HostResultCache::get(const std::string& key) {
    const auto now = clock_();
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (now >= it->second.expires) {
        entries_.erase(it);
        return std::nullopt;
    }
    return it->second.results;
}

void HostResultCache::put(const std::string& key, const boost::json::array& results, std::chrono::seconds ttl) {
    if (ttl.count() <= 0 || max_entries_ == 0) return;
    const auto now = clock_();
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_entries_ && !entries_.contains(key)) {
        std::erase_if(entries_, [&](const auto& kv) { return now >= kv.second.expires; });
        // Still full of live entries: start over rather than track recency (a bound, not an LRU).
        if (entries_.size() >= max_entries_) entries_.clear();
    }
    entries_[key] = Entry{now + ttl, results};
}

void HostResultCache::clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
}

std::size_t HostResultCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace tjhost
