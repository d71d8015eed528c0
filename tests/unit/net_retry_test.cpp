// Backoff, retry decisions and Retry-After / RateLimit-Reset parsing: pure, no sockets.
#include "net/retry_after.hpp"
#include "net/retry_policy.hpp"

#include <doctest/doctest.h>

#include <ctime>

using namespace tjc::net;
using namespace std::chrono_literals;

namespace {

std::chrono::system_clock::time_point utc(int y, int mo, int d, int h, int mi, int s) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

TEST_CASE("backoff doubles per retry, stays within [d/2, d] and under the cap") {
    const BackoffPolicy p{200ms, 2000ms};
    CHECK(backoff_delay(p, 0, 0.0) == 100ms);
    CHECK(backoff_delay(p, 0, 0.999999) <= 200ms);
    CHECK(backoff_delay(p, 1, 0.0) == 200ms);
    CHECK(backoff_delay(p, 2, 0.0) == 400ms);
    for (unsigned retry = 0; retry < 40; ++retry) {
        for (double j : {0.0, 0.25, 0.5, 0.75, 0.999}) {
            const auto d = backoff_delay(p, retry, j);
            CHECK(d >= 100ms);
            CHECK(d <= 2000ms);
        }
    }
    // Far past the cap: no overflow, half the cap at least.
    CHECK(backoff_delay(p, 1000, 0.0) == 1000ms);
    CHECK(backoff_delay(p, 1000, 1.0) == 2000ms);
    // Jitter spreads the waits.
    CHECK(backoff_delay(p, 3, 0.1) < backoff_delay(p, 3, 0.9));
}

TEST_CASE("retry decisions respect the count and the deadline") {
    const auto now = Clock::now();
    CHECK(should_retry(0, 2, 100ms, now, now + 4s));
    CHECK(should_retry(1, 2, 100ms, now, now + 4s));
    CHECK_FALSE(should_retry(2, 2, 100ms, now, now + 4s));
    CHECK_FALSE(should_retry(0, 0, 100ms, now, now + 4s));
    // A wait that ends too close to the deadline is pointless.
    CHECK_FALSE(should_retry(0, 2, 3950ms, now, now + 4s));
    CHECK_FALSE(should_retry(0, 2, 10s, now, now + 4s));
    CHECK(should_retry(0, 2, 3800ms, now, now + 4s));
}

TEST_CASE("which statuses and errors are retried") {
    for (unsigned s : {500u, 502u, 503u, 504u}) {
        CHECK(is_retryable_status(s));
    }
    for (unsigned s : {200u, 400u, 401u, 403u, 404u, 429u, 501u}) {
        CHECK_FALSE(is_retryable_status(s));
    }
    CHECK(is_retryable_error(NetErrorKind::unreachable));
    CHECK_FALSE(is_retryable_error(NetErrorKind::timeout));
    CHECK_FALSE(is_retryable_error(NetErrorKind::tls));
    CHECK_FALSE(is_retryable_error(NetErrorKind::cancelled));
    CHECK_FALSE(is_retryable_error(NetErrorKind::bad_response));
}

TEST_CASE("Retry-After as delay-seconds") {
    const auto now = std::chrono::system_clock::now();
    CHECK(parse_retry_after("120", now) == 120s);
    CHECK(parse_retry_after(" 0 ", now) == 0s);
    CHECK_FALSE(parse_retry_after("", now).has_value());
    CHECK_FALSE(parse_retry_after("-5", now).has_value());
    CHECK_FALSE(parse_retry_after("1.5", now).has_value());
    CHECK_FALSE(parse_retry_after("soon", now).has_value());
    CHECK_FALSE(parse_retry_after("12abc", now).has_value());
}

TEST_CASE("Retry-After as an HTTP-date, all three forms") {
    const auto now = utc(1994, 11, 6, 8, 49, 0);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now) == 37s);
    CHECK(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now) == 37s);
    CHECK(parse_retry_after("Sun Nov  6 08:49:37 1994", now) == 37s);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 09:49:00 GMT", now) == 3600s);
    // In the past: no wait.
    CHECK(parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now) == 0s);
    CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT trailing", now).has_value());
    CHECK_FALSE(parse_retry_after("Sun, 32 Foo 1994 08:49:37 GMT", now).has_value());
}

TEST_CASE("RateLimit-Reset as seconds or as a Unix time") {
    const auto now = utc(2026, 1, 1, 0, 0, 0);
    CHECK(parse_ratelimit_reset("30", now) == 30s);
    const auto epoch_now = std::chrono::system_clock::to_time_t(now);
    CHECK(parse_ratelimit_reset(std::to_string(epoch_now + 45), now) == 45s);
    CHECK(parse_ratelimit_reset(std::to_string(epoch_now - 45), now) == 0s);
    CHECK_FALSE(parse_ratelimit_reset("x", now).has_value());
}

TEST_CASE("throttle_wait prefers Retry-After, then RateLimit-Reset, then X-RateLimit-Reset") {
    const auto now = std::chrono::system_clock::now();
    CHECK(throttle_wait("3", "10", "20", now) == 3s);
    CHECK(throttle_wait("", "10", "20", now) == 10s);
    CHECK(throttle_wait("junk", "", "20", now) == 20s);
    CHECK_FALSE(throttle_wait("", "", "", now).has_value());
}
