// A small thread-safe LRU map from string keys to shared immutable values, with an optional
// time to live. Used for what the fetch plan may reuse across queries: finished pipelines'
// workflows (no expiry: they never change), projects (default branch) and insights.
#pragma once

#include "tjc/mutex.hpp"

#include <chrono>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace tjc::cache {

template <typename V>
class LruStore {
public:
    using Clock = std::chrono::steady_clock;
    using Ptr = std::shared_ptr<const V>;

    // ttl zero: entries never expire (only the LRU bound removes them).
    explicit LruStore(std::size_t max_entries, std::chrono::milliseconds ttl = std::chrono::milliseconds::zero())
        : max_entries_(max_entries), ttl_(ttl) {}

    Ptr get(const std::string& key, Clock::time_point now = Clock::now()) {
        MutexLock lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end()) {
            return nullptr;
        }
        if (ttl_.count() > 0 && now - it->second->stored_at > ttl_) {
            lru_.erase(it->second);
            index_.erase(it);
            return nullptr;
        }
        lru_.splice(lru_.begin(), lru_, it->second);
        return it->second->value;
    }

    void put(const std::string& key, Ptr value, Clock::time_point now = Clock::now()) {
        MutexLock lock(mutex_);  // before reading the bound: a reload may set it meanwhile
        if (max_entries_ == 0) {
            return;
        }
        if (auto it = index_.find(key); it != index_.end()) {
            lru_.erase(it->second);
            index_.erase(it);
        }
        lru_.push_front({key, std::move(value), now});
        index_[key] = lru_.begin();
        while (lru_.size() > max_entries_) {
            index_.erase(lru_.back().key);
            lru_.pop_back();
        }
    }

    void set_limits(std::size_t max_entries, std::chrono::milliseconds ttl) {
        MutexLock lock(mutex_);
        max_entries_ = max_entries;
        ttl_ = ttl;
    }

    void clear() {
        MutexLock lock(mutex_);
        lru_.clear();
        index_.clear();
    }

    [[nodiscard]] std::size_t size() const {
        MutexLock lock(mutex_);
        return lru_.size();
    }

private:
    struct Entry {
        std::string key;
        Ptr value;
        Clock::time_point stored_at;
    };
    mutable Mutex mutex_;
    std::list<Entry> lru_ TJC_GUARDED_BY(mutex_);
    std::unordered_map<std::string, typename std::list<Entry>::iterator> index_ TJC_GUARDED_BY(mutex_);
    std::size_t max_entries_ TJC_GUARDED_BY(mutex_);
    std::chrono::milliseconds ttl_ TJC_GUARDED_BY(mutex_);
};

}  // namespace tjc::cache
