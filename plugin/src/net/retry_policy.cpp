#include "net/retry_policy.hpp"

#include <algorithm>

namespace tjc::net {

std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, unsigned retry, double jitter01) {
    using std::chrono::milliseconds;
    // Doubling stops at the cap; the shift is bounded so it never overflows.
    milliseconds d = policy.base;
    for (unsigned i = 0; i < retry && d < policy.cap; ++i) {
        d *= 2;
    }
    d = std::min(d, policy.cap);
    const double j = std::clamp(jitter01, 0.0, 1.0);
    const auto half = d / 2;
    return half + milliseconds(static_cast<milliseconds::rep>(static_cast<double>((d - half).count()) * j));
}

bool is_retryable_status(unsigned status) noexcept {
    return status == 500 || status == 502 || status == 503 || status == 504;
}

bool is_retryable_error(NetErrorKind kind) noexcept { return kind == NetErrorKind::unreachable; }

bool should_retry(unsigned retries_done, unsigned max_retries, Clock::duration wait, Clock::time_point now,
                  Clock::time_point deadline) noexcept {
    if (retries_done >= max_retries) {
        return false;
    }
    return now + wait + kMinAttemptTime < deadline;
}

}  // namespace tjc::net
