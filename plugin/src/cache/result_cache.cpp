#include "cache/result_cache.hpp"

namespace tjc::cache {

ResultCache::ResultCache(CacheSettings settings) : settings_(settings) {}

ResultCache::Hit ResultCache::lookup(const std::string& key, Clock::time_point now, Refresh refresh) {
    MutexLock lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) {
        return {};
    }
    auto& e = *it->second;
    const auto age = now - e.fetched_at;
    if (age > settings_.max_stale || e.outdated) {
        return {};
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    Hit hit{State::fresh, e.value, e.fetched_at, false};
    if (age > settings_.ttl) {
        hit.state = State::stale;
        if (refresh == Refresh::claim && !e.refreshing && !inflight_.contains(key)) {
            e.refreshing = true;
            hit.refresh = true;
        }
    }
    return hit;
}

ResultCache::Hit ResultCache::last_good(const std::string& key) {
    MutexLock lock(mutex_);
    auto it = index_.find(key);
    if (it == index_.end()) {
        return {};
    }
    return {State::stale, it->second->value, it->second->fetched_at, false};
}

bool ResultCache::join(const std::string& key, Waiter waiter, Clock::time_point now) {
    Value ready;
    Clock::time_point fetched_at;
    {
        MutexLock lock(mutex_);
        auto [it, inserted] = inflight_.try_emplace(key);
        if (!inserted) {
            it->second.push_back(std::move(waiter));
            return false;
        }
        // Between the caller's lookup and now a flight may have ended: no second fetch.
        if (auto e = index_.find(key);
            e != index_.end() && !e->second->outdated && now - e->second->fetched_at <= settings_.ttl) {
            inflight_.erase(it);
            ready = e->second->value;
            fetched_at = e->second->fetched_at;
        } else {
            return true;
        }
    }
    if (waiter) {
        waiter(ready, fetched_at);
    }
    return false;
}

ResultCache::Completion ResultCache::complete(const std::string& key, Value value, Clock::time_point now) {
    MutexLock lock(mutex_);
    Completion out;
    if (auto w = inflight_.find(key); w != inflight_.end()) {
        out.waiters = std::move(w->second);
        inflight_.erase(w);
    }
    auto it = index_.find(key);
    if (value) {
        if (it != index_.end()) {
            bytes_ -= cost(*it->second);
            lru_.erase(it->second);
            index_.erase(it);
        }
        lru_.push_front(Entry{key, value, now, false, false});
        index_[key] = lru_.begin();
        bytes_ += cost(lru_.front());
        evict_locked();
        out.value = std::move(value);
        out.fetched_at = now;
    } else if (it != index_.end()) {
        // An error never replaces good cards: serve the last ones, and allow a later refresh.
        it->second->refreshing = false;
        out.value = it->second->value;
        out.fetched_at = it->second->fetched_at;
    }
    return out;
}

void ResultCache::evict_locked() {
    while (!lru_.empty() && (lru_.size() > settings_.max_entries || bytes_ > settings_.max_bytes)) {
        auto& victim = lru_.back();
        bytes_ -= cost(victim);
        index_.erase(victim.key);
        lru_.pop_back();
    }
}

std::size_t ResultCache::invalidate_if(const std::function<bool(const std::string& key)>& concerns) {
    MutexLock lock(mutex_);
    std::size_t marked = 0;
    for (auto& e : lru_) {
        if (!e.outdated && concerns(e.key)) {
            e.outdated = true;
            ++marked;
        }
    }
    return marked;
}

void ResultCache::set_settings(CacheSettings settings) {
    MutexLock lock(mutex_);
    settings_ = settings;
    evict_locked();
}

void ResultCache::clear() {
    MutexLock lock(mutex_);
    lru_.clear();
    index_.clear();
    bytes_ = 0;
}

std::size_t ResultCache::size() const {
    MutexLock lock(mutex_);
    return lru_.size();
}

std::size_t ResultCache::bytes() const {
    MutexLock lock(mutex_);
    return bytes_;
}

}  // namespace tjc::cache
