// The event ids a replica has seen lately, so that a repeated webhook delivery is acknowledged
// and ignored: a bounded set (the oldest id goes first), kept in memory. With Redis the ids are
// remembered there for every replica (redis/shared_cache.hpp); this set still answers first,
// and alone when Redis cannot. Thread-safe.
#pragma once

#include "tjc/mutex.hpp"

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_set>

namespace tjhost {

class RecentIds {
public:
    explicit RecentIds(std::size_t capacity = 10000) : capacity_(capacity) {}

    // True the first time an id is seen (it is then remembered), false for a repeat.
    bool insert(const std::string& id) {
        tjc::MutexLock lock(mutex_);
        if (!ids_.insert(id).second) {
            return false;
        }
        order_.push_back(id);
        while (order_.size() > capacity_) {
            ids_.erase(order_.front());
            order_.pop_front();
        }
        return true;
    }

    [[nodiscard]] bool contains(const std::string& id) const {
        tjc::MutexLock lock(mutex_);
        return ids_.contains(id);
    }

private:
    std::size_t capacity_;
    mutable tjc::Mutex mutex_;
    std::unordered_set<std::string> ids_ TJC_GUARDED_BY(mutex_);
    std::deque<std::string> order_ TJC_GUARDED_BY(mutex_);  // oldest first
};

}  // namespace tjhost
