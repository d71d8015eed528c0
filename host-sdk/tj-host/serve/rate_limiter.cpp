#include "rate_limiter.hpp"

namespace tjhost {

RateLimiter::RateLimiter(std::uint32_t limit, std::chrono::seconds window, Clock clock)
    : limit_(limit), window_(window), clock_(std::move(clock)) {}

RateLimiter::Decision RateLimiter::check(const std::string& client) {
    if (limit_ == 0) {
        return {true, 0, 0};
    }
    const auto now = clock_();
    tjc::MutexLock lock(mutex_);
    // Forget finished windows once per window, so that the map holds recent clients only.
    if (now - last_sweep_ >= window_) {
        std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.start >= window_; });
        last_sweep_ = now;
    }
    auto& w = windows_[client];
    if (w.count == 0 || now - w.start >= window_) {
        w.start = now;
        w.count = 0;
    }
    if (w.count >= limit_) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(w.start + window_ - now).count();
        return {false, left < 1 ? 1 : left, 0};
    }
    ++w.count;
    return {true, 0, static_cast<std::int64_t>(limit_ - w.count)};
}

std::size_t RateLimiter::clients() const {
    tjc::MutexLock lock(mutex_);
    return windows_.size();
}

}  // namespace tjhost
