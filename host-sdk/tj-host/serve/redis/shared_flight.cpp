#include "redis/shared_flight.hpp"

#include <algorithm>

namespace tjhost::redis {

SharedFlight::SharedFlight(Clock::time_point now, Clock::time_point deadline, Settings settings)
    : settings_(settings), give_up_at_(now + (deadline - now) * 3 / 4), next_poll_(settings.first_poll) {}

SharedFlight::Step SharedFlight::on_lookup(Lookup result, Clock::time_point) {
    switch (result) {
        case Lookup::hit: return {Action::serve_hit, {}};
        case Lookup::error: return {Action::alone, {}};
        case Lookup::miss:
            // Not there (yet): the lock says whether someone is on it; its holder may also
            // have given up, and then we take over.
            return {Action::lock, {}};
    }
    return {Action::alone, {}};
}

SharedFlight::Step SharedFlight::on_lock(Lock result, Clock::time_point now) {
    switch (result) {
        case Lock::acquired: return {Action::lead, {}};
        case Lock::error: return {Action::alone, {}};
        case Lock::held: {
            const auto wait = next_poll_;
            if (now + wait >= give_up_at_) {
                return {Action::alone, {}};
            }
            next_poll_ = std::min(next_poll_ * 2, settings_.max_poll);
            ++polls_;
            return {Action::lookup, wait};
        }
    }
    return {Action::alone, {}};
}

}  // namespace tjhost::redis
