// One thread that runs callbacks at deadlines: how `tj-host serve` enforces each plugin's
// time limit even when a plugin does not keep its own. Callbacks run on the timer's thread,
// one at a time; they must be short (they settle a query and call cancel()).
#pragma once

#include "tjc/mutex.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

namespace tjhost {

class DeadlineTimer {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    DeadlineTimer();
    ~DeadlineTimer();  // drops the callbacks not yet run, joins the thread
    DeadlineTimer(const DeadlineTimer&) = delete;
    DeadlineTimer& operator=(const DeadlineTimer&) = delete;

    // Runs fn at `when` (unless cancelled first). [any-thread]
    std::uint64_t at(TimePoint when, std::function<void()> fn);
    // Drops a callback not yet started; a no-op otherwise. [any-thread]
    void cancel(std::uint64_t id);

private:
    void loop();
    tjc::Mutex mutex_;
    std::condition_variable cv_;
    std::map<std::pair<TimePoint, std::uint64_t>, std::function<void()>> queue_ TJC_GUARDED_BY(mutex_);
    std::map<std::uint64_t, TimePoint> when_ TJC_GUARDED_BY(mutex_);
    std::uint64_t next_id_ TJC_GUARDED_BY(mutex_) = 1;
    bool stop_ TJC_GUARDED_BY(mutex_) = false;
    std::thread thread_;
};

}  // namespace tjhost
