// The circuit breaker in front of Redis: after `failure_threshold` failed calls in a row it
// opens and no call is tried for `open_for`; then one probe is let through (half-open): its
// success closes the breaker, its failure opens it again for twice as long (up to
// `max_open_for`). A state machine with no I/O and no clock of its own (times are passed in),
// unit-tested without sockets. Not thread-safe: the Redis client's one thread owns it.
#pragma once

#include <chrono>
#include <cstdint>

namespace tjhost::redis {

class Breaker {
public:
    using Clock = std::chrono::steady_clock;
    enum class State { closed, open, half_open };

    struct Settings {
        unsigned failure_threshold = 3;
        std::chrono::milliseconds open_for{1000};
        std::chrono::milliseconds max_open_for{8000};
    };

    explicit Breaker(Settings settings) : settings_(settings), open_for_(settings.open_for) {}
    Breaker() : Breaker(Settings{}) {}

    // May a call be tried now? Open: no, until open_for has passed; then yes for exactly one
    // probe (half-open) until success() or failure() reports it.
    bool allow(Clock::time_point now);
    void success();
    void failure(Clock::time_point now);

    [[nodiscard]] State state() const noexcept { return state_; }
    // While open: when a probe may go (allow() says yes from then on).
    [[nodiscard]] Clock::time_point reopen_at() const noexcept { return reopen_at_; }
    // Times it went from closed to open (for /metrics).
    [[nodiscard]] std::uint64_t trips() const noexcept { return trips_; }

private:
    Settings settings_;
    State state_ = State::closed;
    unsigned failures_ = 0;
    bool probing_ = false;
    std::chrono::milliseconds open_for_;
    Clock::time_point reopen_at_{};
    std::uint64_t trips_ = 0;
};

const char* to_string(Breaker::State s) noexcept;

}  // namespace tjhost::redis
