#include "net/attempt_policy.hpp"

#include "net/redirect_policy.hpp"

#include <utility>

namespace tjc::net {

AttemptPolicy::AttemptPolicy(Endpoint server, std::string target, AttemptLimits limits, Clock::time_point deadline)
    : server_(std::move(server)), target_(std::move(target)), limits_(limits), deadline_(deadline) {}

bool AttemptPolicy::may_retry(Clock::duration wait, Clock::time_point now) const noexcept {
    return should_retry(retries_, limits_.max_retries, wait, now, deadline_);
}

Step AttemptPolicy::next(const Attempt& attempt, Clock::time_point now, double jitter01) {
    if (attempt.kind == Attempt::Kind::response) {
        return after_response(attempt, now, jitter01);
    }
    return after_error(attempt, now, jitter01);
}

Step AttemptPolicy::after_error(const Attempt& attempt, Clock::time_point now, double jitter01) {
    Step s;
    // A keep-alive connection the server closed while it sat idle fails at once, before any
    // byte of an answer: that says nothing about the server, so try again on a fresh one.
    const bool stale = attempt.kind == Attempt::Kind::exchange_error && attempt.reused && !attempt.received_any &&
                       attempt.error.kind == NetErrorKind::unreachable;
    if (stale && free_retries_used_ < limits_.free_retries) {
        ++free_retries_used_;
        s.action = Step::Action::retry_now;
        s.counts = false;
        return s;
    }
    s.counts = attempt.error.kind != NetErrorKind::cancelled;
    const auto wait = backoff_delay(limits_.backoff, retries_, jitter01);
    if (is_retryable_error(attempt.error.kind) && may_retry(wait, now)) {
        ++retries_;
        s.action = Step::Action::retry_after;
        s.wait = wait;
        return s;
    }
    s.action = Step::Action::fail;
    s.error = attempt.error;
    return s;
}

Step AttemptPolicy::after_response(const Attempt& attempt, Clock::time_point now, double jitter01) {
    Step s;
    if (attempt.status == 429) {
        // Every request to this host waits; this one tries again after it if that fits.
        s.throttle_host = attempt.asked_wait.value_or(limits_.default_throttle);
        if (may_retry(s.throttle_host, now)) {
            ++retries_;
            s.action = Step::Action::throttle;
            s.fallback = true;
        } else {
            s.action = Step::Action::answer;
        }
        return s;
    }
    if (is_retryable_status(attempt.status)) {
        const auto wait = backoff_delay(limits_.backoff, retries_, jitter01);
        if (may_retry(wait, now)) {
            ++retries_;
            s.action = Step::Action::retry_after;
            s.wait = wait;
            s.fallback = true;
        } else {
            s.action = Step::Action::answer;
        }
        return s;
    }
    if (is_redirect_status(attempt.status)) {
        auto next = redirect_target(server_, target_, attempt.location);
        if (!next.has_value()) {
            s.action = Step::Action::fail;
            s.error = {NetErrorKind::bad_response, next.error(), {}};
            return s;
        }
        if (++redirects_ > kMaxRedirects) {
            s.action = Step::Action::fail;
            s.error = {NetErrorKind::bad_response, "too many redirects from " + server_.authority(), {}};
            return s;
        }
        target_ = std::move(next.value());
        s.action = Step::Action::follow;
        s.target = target_;
        return s;
    }
    s.action = Step::Action::answer;
    return s;
}

}  // namespace tjc::net
