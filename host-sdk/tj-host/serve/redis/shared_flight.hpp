// Single flight across replicas, as decisions with no I/O: one request's way to a shared
// answer. Look in Redis; on a miss take the key's lock (SET NX PX): the holder runs the plugin
// and publishes, the others poll for its answer, a little longer each time, and give up (run
// the plugin alone) well before their deadline. Any Redis error: alone at once, so Redis is
// never a new way to fail. Driven by shared_cache.cpp; unit-tested without sockets.
#pragma once

#include <chrono>

namespace tjhost::redis {

class SharedFlight {
public:
    using Clock = std::chrono::steady_clock;

    enum class Action {
        lookup,     // look for the answer in Redis (now, or after `wait`)
        lock,       // try to take the key's lock
        serve_hit,  // the answer was there: serve it
        lead,       // we hold the lock: run the plugin, publish, unlock
        alone,      // run the plugin without sharing (Redis failed, or waiting is over)
    };
    struct Step {
        Action action = Action::lookup;
        std::chrono::milliseconds wait{0};  // lookup: poll after this long
    };

    struct Settings {
        std::chrono::milliseconds first_poll{5};
        std::chrono::milliseconds max_poll{50};
    };

    // The request's deadline: waiting ends at 3/4 of the time left, leaving a quarter to run
    // the plugin alone.
    SharedFlight(Clock::time_point now, Clock::time_point deadline, Settings settings);
    SharedFlight(Clock::time_point now, Clock::time_point deadline) : SharedFlight(now, deadline, Settings{}) {}

    [[nodiscard]] Step start() const { return {Action::lookup, {}}; }

    enum class Lookup { hit, miss, error };
    Step on_lookup(Lookup result, Clock::time_point now);

    enum class Lock { acquired, held, error };
    Step on_lock(Lock result, Clock::time_point now);

    [[nodiscard]] Clock::time_point give_up_at() const noexcept { return give_up_at_; }
    [[nodiscard]] unsigned polls() const noexcept { return polls_; }

private:
    Settings settings_;
    Clock::time_point give_up_at_;
    std::chrono::milliseconds next_poll_;
    unsigned polls_ = 0;
};

}  // namespace tjhost::redis
