#include "redis/breaker.hpp"

#include <algorithm>

namespace tjhost::redis {

bool Breaker::allow(Clock::time_point now) {
    switch (state_) {
        case State::closed: return true;
        case State::open:
            if (now < reopen_at_) {
                return false;
            }
            state_ = State::half_open;
            probing_ = true;
            return true;
        case State::half_open:
            if (probing_) {
                return false;
            }
            probing_ = true;
            return true;
    }
    return false;
}

void Breaker::success() {
    state_ = State::closed;
    failures_ = 0;
    probing_ = false;
    open_for_ = settings_.open_for;
}

void Breaker::failure(Clock::time_point now) {
    probing_ = false;
    if (state_ == State::half_open) {
        // The probe failed: stay away longer.
        open_for_ = std::min(open_for_ * 2, settings_.max_open_for);
        state_ = State::open;
        reopen_at_ = now + open_for_;
        return;
    }
    if (state_ == State::open) {
        return;  // a call that was already under way when it opened
    }
    if (++failures_ >= settings_.failure_threshold) {
        state_ = State::open;
        reopen_at_ = now + open_for_;
        ++trips_;
    }
}

const char* to_string(Breaker::State s) noexcept {
    switch (s) {
        case Breaker::State::closed: return "closed";
        case Breaker::State::open: return "open";
        case Breaker::State::half_open: return "half_open";
    }
    return "unknown";
}

}  // namespace tjhost::redis
