// Per-client request limit of `tj-host serve`, as ToolJump's server does it (a fixed window:
// at most N requests per client per window, default 200 per 15 minutes). Thread-safe; the
// clock is injected so that tests move time instead of waiting.
#pragma once

#include "tjc/mutex.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

namespace tjhost {

class RateLimiter {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    struct Decision {
        bool allowed = true;
        std::int64_t retry_after_s = 0;  // when refused: seconds until the window resets (>= 1)
        std::int64_t remaining = 0;      // requests left in this window
    };

    // limit 0 disables the limiter.
    RateLimiter(std::uint32_t limit, std::chrono::seconds window, Clock clock = std::chrono::steady_clock::now);

    // Counts one request of `client` and says whether it may proceed.
    Decision check(const std::string& client);
    [[nodiscard]] std::uint32_t limit() const noexcept { return limit_; }
    [[nodiscard]] std::size_t clients() const;

private:
    struct Window {
        std::chrono::steady_clock::time_point start;
        std::uint32_t count = 0;
    };
    std::uint32_t limit_;
    std::chrono::seconds window_;
    Clock clock_;
    mutable tjc::Mutex mutex_;
    std::unordered_map<std::string, Window> windows_ TJC_GUARDED_BY(mutex_);
    std::chrono::steady_clock::time_point last_sweep_ TJC_GUARDED_BY(mutex_){};
};

}  // namespace tjhost
