// A Redis client for tj-host serve: RESP from hiredis (resp.hpp), the sockets driven by one
// Boost.Asio thread of its own. Two connections: one for commands (pipelined: replies come in
// the order sent), one subscribed to channels (pub/sub). The decisions are the small state
// machines beside it (breaker.hpp, backoff.hpp); this file only drives them.
//
// Redis is never a new way to fail: every call has a deadline (`call_timeout`); a call that
// cannot be made (not connected, breaker open, shutting down) fails at once, without I/O; a
// late reply or a dropped connection fails every call in flight, closes the connection and
// counts as a breaker failure; the connections come back by themselves (backoff), and the
// breaker lets one probe through once `open_for` passed.
//
// Threads and lifetimes, per operation:
//   call(args, done)    [any-thread] `done` runs exactly once on the client's thread: with the
//                       reply, or with an error (by the call's deadline), unless the client was
//                       shut down first: then it is dropped (destroyed, never called).
//   after(delay, fn)    [any-thread] `fn` runs once on the client's thread after `delay`, or is
//                       dropped by shutdown().
//   on_message, on_resync (constructor) run on the client's thread: on_resync each time the
//                       subscription is established again and each time the breaker closes
//                       again (messages may have been missed meanwhile), on_message for each
//                       message.
//   health()            [any-thread] a snapshot.
//   shutdown()          [host-thread] drops what is pending and returns once no callback runs
//                       any more; later calls are dropped. The destructor calls it and joins.
#pragma once

#include "redis/breaker.hpp"
#include "redis/redis_url.hpp"
#include "redis/resp.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tjhost::redis {

struct ClientOptions {
    Endpoint endpoint;
    std::string password;                         // AUTH when not empty
    std::chrono::milliseconds call_timeout{100};  // a reply later than this fails the call
    std::chrono::milliseconds connect_timeout{300};
    Breaker::Settings breaker{};
    std::chrono::milliseconds backoff_first{50};
    std::chrono::milliseconds backoff_cap{2000};
    std::vector<std::string> channels;  // subscribed on the second connection
};

// A call's outcome: a reply (which may be a Redis error reply), or why there is none.
struct Result {
    bool ok = false;  // a reply came (and it is not an error reply)
    Value value;
    std::string error;  // when !ok: "not connected", "breaker open", "timed out", Redis' error...
};

struct Health {
    bool connected = false;   // the command connection is up
    bool subscribed = false;  // the pub/sub connection is up
    Breaker::State breaker = Breaker::State::closed;
    std::uint64_t breaker_trips = 0;
    std::uint64_t errors = 0;  // calls that failed (any reason but shutdown)
    std::uint64_t reconnects = 0;
    [[nodiscard]] bool usable() const noexcept { return connected && breaker == Breaker::State::closed; }
};

class Client {
public:
    using Done = std::function<void(Result)>;
    using OnMessage = std::function<void(const std::string& channel, const std::string& payload)>;

    Client(ClientOptions options, OnMessage on_message, std::function<void()> on_resync);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void call(std::vector<std::string> args, Done done);
    void after(std::chrono::milliseconds delay, std::function<void()> fn);
    [[nodiscard]] Health health() const;
    void shutdown();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace tjhost::redis
