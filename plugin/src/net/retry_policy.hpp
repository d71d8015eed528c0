// When to try a GET again and how long to wait first (pure: no clock reads, no randomness
// of its own; the caller passes "now" and a jitter draw so tests can pin both).
#pragma once

#include "net/http_types.hpp"

#include <chrono>
#include <optional>

namespace tjc::net {

struct BackoffPolicy {
    std::chrono::milliseconds base{200};  // wait before the first retry (before jitter)
    std::chrono::milliseconds cap{2000};  // no single wait is longer
};

// Exponential backoff with "equal jitter": d = min(cap, base * 2^retry), result in [d/2, d].
// retry counts from 0; jitter01 is a draw from [0, 1).
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, unsigned retry, double jitter01);

// Statuses worth another try for an idempotent GET: 500, 502, 503, 504.
bool is_retryable_status(unsigned status) noexcept;

// Transport failures worth another try: resets and refused connections (the server may be
// restarting). Timeouts, TLS failures and bad responses are not: they would fail again.
bool is_retryable_error(NetErrorKind kind) noexcept;

// Smallest time a retry needs to stand a chance; a wait that leaves less is pointless.
inline constexpr std::chrono::milliseconds kMinAttemptTime{100};

// Whether to retry after `wait`, given retries already made, the limit, and the deadline.
// A wait that ends within kMinAttemptTime of the deadline is refused.
bool should_retry(unsigned retries_done, unsigned max_retries, Clock::duration wait, Clock::time_point now,
                  Clock::time_point deadline) noexcept;

}  // namespace tjc::net
