// The Redis client's parts without a socket: RESP through hiredis, the breaker, the reconnect
// backoff, the cross-replica single flight's decisions, the --redis URL.
#include <doctest/doctest.h>

#include "redis/backoff.hpp"
#include "redis/breaker.hpp"
#include "redis/redis_url.hpp"
#include "redis/resp.hpp"
#include "redis/shared_flight.hpp"

#include <stdexcept>

using namespace std::chrono_literals;
namespace r = tjhost::redis;

TEST_CASE("resp: commands are binary-safe RESP arrays") {
    CHECK(r::format_command({"SET", "k", "v"}) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    const std::string binary("a\r\n\0b", 5);
    CHECK(r::format_command({"GET", binary}) == std::string("*2\r\n$3\r\nGET\r\n$5\r\na\r\n\0b\r\n", 24));
    CHECK(r::format_command({"PING", ""}) == "*2\r\n$4\r\nPING\r\n$0\r\n\r\n");
}

TEST_CASE("resp: replies whole, in order, whatever the bytes' split, errors and nil apart") {
    r::RespReader reader;
    const std::string stream =
        "+OK\r\n$5\r\nhel\r\n\r\n:42\r\n$-1\r\n-ERR wrong\r\n*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n:7\r\n";
    std::vector<r::Value> got;
    for (char c : stream) {  // one byte at a time: the reader keeps partial replies
        reader.feed(std::string_view(&c, 1));
        while (auto v = reader.next()) {
            got.push_back(std::move(*v));
        }
    }
    REQUIRE(got.size() == 6);
    CHECK(got[0].type == r::Value::Type::status);
    CHECK(got[0].str == "OK");
    CHECK(got[1].is_string());
    CHECK(got[1].str == "hel\r\n");
    CHECK(got[2].integer == 42);
    CHECK(got[3].is_nil());
    CHECK(got[4].is_error());
    CHECK(got[4].str == "ERR wrong");
    REQUIRE(got[5].elements.size() == 3);
    CHECK(got[5].elements[0].str == "message");
    CHECK(got[5].elements[2].integer == 7);
    CHECK_FALSE(reader.next());

    r::RespReader bad;
    bad.feed("?what\r\n");
    CHECK_THROWS_AS((void)bad.next(), r::ProtocolError);
}

TEST_CASE("breaker: opens after N failures in a row, one probe after open_for, doubles when the probe fails") {
    const auto t0 = std::chrono::steady_clock::now();
    r::Breaker b({3, 1000ms, 4000ms});
    CHECK(b.allow(t0));
    b.failure(t0);
    b.failure(t0);
    b.success();  // a success in between: the count starts over
    b.failure(t0);
    b.failure(t0);
    CHECK(b.state() == r::Breaker::State::closed);
    b.failure(t0);
    CHECK(b.state() == r::Breaker::State::open);
    CHECK(b.trips() == 1);
    CHECK_FALSE(b.allow(t0 + 999ms));
    CHECK(b.allow(t0 + 1000ms));  // the probe
    CHECK(b.state() == r::Breaker::State::half_open);
    CHECK_FALSE(b.allow(t0 + 1000ms));  // only one
    b.failure(t0 + 1010ms);
    CHECK(b.state() == r::Breaker::State::open);
    CHECK_FALSE(b.allow(t0 + 2500ms));  // 2 s now
    CHECK(b.allow(t0 + 3010ms));
    b.failure(t0 + 3010ms);
    CHECK_FALSE(b.allow(t0 + 6500ms));  // 4 s (the cap)
    CHECK(b.allow(t0 + 7010ms));
    b.success();  // Redis is back: closed, and the next trip waits 1 s again
    CHECK(b.state() == r::Breaker::State::closed);
    CHECK(b.allow(t0 + 7010ms));
    for (int i = 0; i < 3; ++i) {
        b.failure(t0 + 8000ms);
    }
    CHECK(b.trips() == 2);
    CHECK(b.allow(t0 + 9000ms));
}

TEST_CASE("backoff: doubles up to the cap, reset starts over") {
    r::Backoff b(50ms, 300ms);
    CHECK(b.next() == 50ms);
    CHECK(b.next() == 100ms);
    CHECK(b.next() == 200ms);
    CHECK(b.next() == 300ms);
    CHECK(b.next() == 300ms);
    b.reset();
    CHECK(b.next() == 50ms);
}

TEST_CASE("shared flight: hit serves, a free lock leads, a held lock polls ever slower, then alone in time") {
    using F = r::SharedFlight;
    const auto t0 = std::chrono::steady_clock::now();
    {
        F f(t0, t0 + 4000ms);
        CHECK(f.start().action == F::Action::lookup);
        CHECK(f.on_lookup(F::Lookup::hit, t0).action == F::Action::serve_hit);
    }
    {
        F f(t0, t0 + 4000ms);
        CHECK(f.on_lookup(F::Lookup::miss, t0).action == F::Action::lock);
        CHECK(f.on_lock(F::Lock::acquired, t0).action == F::Action::lead);
    }
    {
        F f(t0, t0 + 4000ms);
        CHECK(f.give_up_at() == t0 + 3000ms);  // a quarter left to run alone
        auto now = t0;
        std::vector<std::chrono::milliseconds> waits;
        for (;;) {
            const auto s = f.on_lock(F::Lock::held, now);
            if (s.action == F::Action::alone) {
                break;
            }
            REQUIRE(s.action == F::Action::lookup);
            waits.push_back(s.wait);
            now += s.wait;
            REQUIRE(f.on_lookup(F::Lookup::miss, now).action == F::Action::lock);
        }
        REQUIRE(waits.size() > 4);
        CHECK(waits[0] == 5ms);
        CHECK(waits[1] == 10ms);
        CHECK(waits.back() == 50ms);  // the cap
        CHECK(now < f.give_up_at());
        CHECK(now + 50ms >= f.give_up_at());
    }
    {
        // Redis failing at any step: alone at once, never an error.
        F f(t0, t0 + 4000ms);
        CHECK(f.on_lookup(F::Lookup::error, t0).action == F::Action::alone);
        CHECK(f.on_lock(F::Lock::error, t0).action == F::Action::alone);
    }
    {
        // The holder published while we waited.
        F f(t0, t0 + 4000ms);
        CHECK(f.on_lock(F::Lock::held, t0).action == F::Action::lookup);
        CHECK(f.on_lookup(F::Lookup::hit, t0 + 5ms).action == F::Action::serve_hit);
    }
}

TEST_CASE("redis url: redis://HOST:PORT[/DB], no password in it") {
    auto e = r::parse_redis_url("redis://127.0.0.1:6400/3");
    CHECK(e.host == "127.0.0.1");
    CHECK(e.port == 6400);
    CHECK(e.db == 3);
    e = r::parse_redis_url("redis://cache.internal");
    CHECK(e.host == "cache.internal");
    CHECK(e.port == 6379);
    CHECK(e.db == 0);
    e = r::parse_redis_url("redis://[::1]:7000/");
    CHECK(e.host == "::1");
    CHECK(e.port == 7000);
    for (const char* bad : {"http://x:1", "redis://", "redis://x:1/16", "redis://x:1/a", "redis://x:1?db=1", "x:1",
                            "redis://user:pw@x:1", "redis://x:0"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(r::parse_redis_url(bad), std::invalid_argument);
    }
}
