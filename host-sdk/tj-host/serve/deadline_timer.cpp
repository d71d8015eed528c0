#include "deadline_timer.hpp"

namespace tjhost {

DeadlineTimer::DeadlineTimer() : thread_([this] { loop(); }) {}

DeadlineTimer::~DeadlineTimer() {
    {
        tjc::MutexLock lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

std::uint64_t DeadlineTimer::at(TimePoint when, std::function<void()> fn) {
    std::uint64_t id = 0;
    {
        tjc::MutexLock lock(mutex_);
        id = next_id_++;
        queue_.emplace(std::make_pair(when, id), std::move(fn));
        when_.emplace(id, when);
    }
    cv_.notify_all();
    return id;
}

void DeadlineTimer::cancel(std::uint64_t id) {
    std::function<void()> dropped;  // destroyed outside the lock: it may own the last reference to a query
    tjc::MutexLock lock(mutex_);
    auto it = when_.find(id);
    if (it == when_.end()) {
        return;
    }
    auto q = queue_.find({it->second, id});
    if (q != queue_.end()) {
        dropped = std::move(q->second);
        queue_.erase(q);
    }
    when_.erase(it);
}

void DeadlineTimer::loop() {
    tjc::MutexLock lock(mutex_);
    while (!stop_) {
        if (queue_.empty()) {
            lock.wait(cv_);
            continue;
        }
        const auto first = queue_.begin()->first.first;
        if (std::chrono::steady_clock::now() < first) {
            lock.wait_until(cv_, first);
            continue;
        }
        auto fn = std::move(queue_.begin()->second);
        when_.erase(queue_.begin()->first.second);
        queue_.erase(queue_.begin());
        lock.unlock();
        fn();
        fn = nullptr;
        lock.lock();
    }
}

}  // namespace tjhost
