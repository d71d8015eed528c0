// How long the Redis client waits before its next connection attempt: `first`, doubling per
// failed attempt up to `cap`; reset() once a connection works. Pure, deterministic (one client
// per replica: no herd to spread), unit-tested without sockets.
#pragma once

#include <algorithm>
#include <chrono>

namespace tjhost::redis {

class Backoff {
public:
    explicit Backoff(std::chrono::milliseconds first = std::chrono::milliseconds(50),
                     std::chrono::milliseconds cap = std::chrono::milliseconds(2000))
        : first_(first), cap_(cap), next_(first) {}

    // The wait before the next attempt; each call doubles the one after (up to cap).
    std::chrono::milliseconds next() {
        const auto now = next_;
        next_ = std::min(next_ * 2, cap_);
        return now;
    }
    void reset() { next_ = first_; }

private:
    std::chrono::milliseconds first_;
    std::chrono::milliseconds cap_;
    std::chrono::milliseconds next_;
};

}  // namespace tjhost::redis
