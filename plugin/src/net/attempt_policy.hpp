// What the HTTP client does after each attempt of one GET: retry after a backoff, retry at
// once on a dead keep-alive connection, wait out a 429, follow a same-origin redirect, or
// finish. A state machine with no I/O and no clock or randomness of its own (the caller passes
// "now" and a jitter draw), so every path is unit-tested without sockets; HttpClient's run_get
// is the thin async layer that performs what it decides.
#pragma once

#include "net/http_types.hpp"
#include "net/retry_policy.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace tjc::net {

// What one attempt gave.
struct Attempt {
    enum class Kind {
        connect_error,   // no connection (connect, proxy, TLS handshake)
        exchange_error,  // a connection, but no usable response
        response,        // an HTTP response
    };
    Kind kind = Kind::response;
    NetError error;                                  // connect_error, exchange_error
    bool reused = false;                             // exchange_error: the connection came from the idle pool
    bool received_any = false;                       // exchange_error: some bytes of an answer arrived
    unsigned status = 0;                             // response
    std::optional<std::chrono::seconds> asked_wait;  // response 429: what the server asked for
    std::string location;                            // response 3xx: its Location
};

// What to do next.
struct Step {
    enum class Action {
        retry_now,    // again at once: a keep-alive connection the server had closed (not an attempt)
        retry_after,  // again after `wait`
        throttle,     // again once the host's throttle (throttle_host) has passed
        follow,       // GET `target` (same origin) next
        answer,       // this response is the answer
        fail,         // `error` is the answer
    };
    Action action = Action::answer;
    Clock::duration wait{};                 // retry_after
    std::chrono::seconds throttle_host{0};  // a 429: nothing goes to this host for so long (0: none)
    std::string target;                     // follow
    NetError error;                         // fail
    bool counts = true;                     // the attempt is one to report (HttpClientOptions::on_attempt)
    bool fallback = false;                  // keep this response: it is the answer if no later attempt gets one
};

struct AttemptLimits {
    unsigned max_retries = 2;   // backoffs and throttle waits
    unsigned free_retries = 5;  // dead keep-alive connections retried at once
    BackoffPolicy backoff;
    std::chrono::seconds default_throttle{5};  // a 429 that names no wait
};

class AttemptPolicy {
public:
    AttemptPolicy(Endpoint server, std::string target, AttemptLimits limits, Clock::time_point deadline);

    // The decision after an attempt at `now`; jitter01 is a draw from [0, 1).
    Step next(const Attempt& attempt, Clock::time_point now, double jitter01);

    // The origin-form target to GET now (it changes when a redirect is followed).
    [[nodiscard]] const std::string& target() const noexcept { return target_; }
    [[nodiscard]] unsigned retries() const noexcept { return retries_; }

private:
    Step after_error(const Attempt& attempt, Clock::time_point now, double jitter01);
    Step after_response(const Attempt& attempt, Clock::time_point now, double jitter01);
    // Whether one more try fits: under the limit, and `wait` leaves it time before the deadline.
    bool may_retry(Clock::duration wait, Clock::time_point now) const noexcept;

    Endpoint server_;
    std::string target_;
    AttemptLimits limits_;
    Clock::time_point deadline_;
    unsigned retries_ = 0;
    unsigned free_retries_used_ = 0;
    int redirects_ = 0;
};

}  // namespace tjc::net
