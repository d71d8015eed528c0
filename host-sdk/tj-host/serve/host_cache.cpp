#include "host_cache.hpp"

#include "match.hpp"

#include <boost/json/serialize.hpp>

#include <cctype>

namespace tjhost {

namespace {

// purged_at_ is kept to this many tags; past it, it is emptied and every answer computed
// before then is refused once (a bound, not a leak).
constexpr std::size_t kMaxPurgedTags = 10000;

}  // namespace

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

std::string scoped_tag(const std::string& integration, std::string_view tag) {
    std::string out = integration + '\n';
    for (char c : tag) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

HostResultCache::HostResultCache(std::size_t max_entries, Clock clock)
    : max_entries_(max_entries), clock_(std::move(clock)) {}

std::optional<boost::json::array> HostResultCache::get(const std::string& key) {
    const auto now = clock_();
    tjc::MutexLock lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        return std::nullopt;
    }
    if (now >= it->second.expires) {
        drop_locked(it);
        return std::nullopt;
    }
    return it->second.results;
}

std::uint64_t HostResultCache::epoch() const {
    tjc::MutexLock lock(mutex_);
    return epoch_;
}

void HostResultCache::drop_locked(std::map<std::string, Entry>::iterator it) {
    for (const auto& t : it->second.tags) {
        if (auto tagged = tagged_.find(t); tagged != tagged_.end()) {
            tagged->second.erase(it->first);
            if (tagged->second.empty()) {
                tagged_.erase(tagged);
            }
        }
    }
    entries_.erase(it);
}

void HostResultCache::put(const std::string& key, const boost::json::array& results, std::chrono::milliseconds ttl,
                          const std::vector<std::string>& tags, std::uint64_t since) {
    if (ttl.count() <= 0 || max_entries_ == 0) {
        return;
    }
    const auto now = clock_();
    tjc::MutexLock lock(mutex_);
    if (since < forgotten_before_) {
        return;
    }
    for (const auto& t : tags) {
        if (auto p = purged_at_.find(t); p != purged_at_.end() && p->second > since) {
            return;  // computed before that purge: out of date already
        }
    }
    if (auto old = entries_.find(key); old != entries_.end()) {
        drop_locked(old);
    }
    if (entries_.size() >= max_entries_) {
        for (auto it = entries_.begin(); it != entries_.end();) {
            auto next = std::next(it);
            if (now >= it->second.expires) {
                drop_locked(it);
            }
            it = next;
        }
        // Still full of live entries: start over rather than track recency (a bound, not an LRU).
        if (entries_.size() >= max_entries_) {
            entries_.clear();
            tagged_.clear();
        }
    }
    entries_[key] = Entry{now + ttl, results, tags};
    for (const auto& t : tags) {
        tagged_[t].insert(key);
    }
}

std::size_t HostResultCache::purge(const std::string& tag) {
    tjc::MutexLock lock(mutex_);
    ++epoch_;
    if (purged_at_.size() >= kMaxPurgedTags) {
        purged_at_.clear();
        forgotten_before_ = epoch_;
    }
    purged_at_[tag] = epoch_;
    auto tagged = tagged_.find(tag);
    if (tagged == tagged_.end()) {
        return 0;
    }
    const auto keys = std::move(tagged->second);
    tagged_.erase(tagged);
    std::size_t n = 0;
    for (const auto& k : keys) {
        if (auto it = entries_.find(k); it != entries_.end()) {
            drop_locked(it);
            ++n;
        }
    }
    return n;
}

void HostResultCache::clear() {
    tjc::MutexLock lock(mutex_);
    entries_.clear();
    tagged_.clear();
    // Answers in flight were computed before the clear: not stored after it.
    ++epoch_;
    purged_at_.clear();
    forgotten_before_ = epoch_;
}

std::size_t HostResultCache::size() const {
    tjc::MutexLock lock(mutex_);
    return entries_.size();
}

bool HostResultCache::join(const std::string& key, Waiter waiter) {
    tjc::MutexLock lock(mutex_);
    auto [it, inserted] = flights_.try_emplace(key);
    if (inserted) {
        return true;
    }
    it->second.push_back(std::move(waiter));
    return false;
}

std::vector<HostResultCache::Waiter> HostResultCache::finish(const std::string& key) {
    tjc::MutexLock lock(mutex_);
    auto it = flights_.find(key);
    if (it == flights_.end()) {
        return {};
    }
    auto waiters = std::move(it->second);
    flights_.erase(it);
    return waiters;
}

}  // namespace tjhost
