// The HTTP client's decisions after each attempt (net/attempt_policy.hpp), without sockets:
// backoff retries, the free retry of a dead keep-alive connection, 429 throttles, redirects,
// and the deadline that ends them all.
#include "net/attempt_policy.hpp"

#include <doctest/doctest.h>

using namespace tjc::net;
using namespace std::chrono_literals;
using Action = Step::Action;

namespace {

const Clock::time_point kStart{};
const Endpoint kServer{"https", "circleci.com", 443, "/api/v2"};

AttemptPolicy policy(AttemptLimits limits = {}, Clock::duration budget = 10s) {
    return AttemptPolicy(kServer, "/api/v2/me", limits, kStart + budget);
}

Attempt response(unsigned status) {
    Attempt a;
    a.kind = Attempt::Kind::response;
    a.status = status;
    return a;
}

Attempt error(Attempt::Kind kind, NetErrorKind e, bool reused = false, bool received_any = false) {
    Attempt a;
    a.kind = kind;
    a.error = {e, "what happened", {}};
    a.reused = reused;
    a.received_any = received_any;
    return a;
}

}  // namespace

TEST_CASE("an answer is an answer: 2xx and 4xx finish at once") {
    for (unsigned status : {200u, 204u, 400u, 401u, 403u, 404u, 422u}) {
        CAPTURE(status);
        auto p = policy();
        const auto s = p.next(response(status), kStart, 0.5);
        CHECK(s.action == Action::answer);
        CHECK(s.counts);
        CHECK_FALSE(s.fallback);
        CHECK(s.throttle_host == 0s);
    }
}

TEST_CASE("5xx: backoff retries up to max_retries, each kept as the fallback, then the last is the answer") {
    auto p = policy({2, 5, {200ms, 2000ms}, 5s});
    auto s = p.next(response(503), kStart, 0.0);
    CHECK(s.action == Action::retry_after);
    CHECK(s.wait == 100ms);  // base 200 ms, equal jitter, draw 0: half of it
    CHECK(s.fallback);
    s = p.next(response(502), kStart, 0.0);
    CHECK(s.action == Action::retry_after);
    CHECK(s.wait == 200ms);  // doubled
    s = p.next(response(500), kStart, 0.0);
    CHECK(s.action == Action::answer);  // retries spent: the 500 is the answer
    CHECK(p.retries() == 2);
    // 501 is not worth another try.
    auto q = policy();
    CHECK(q.next(response(501), kStart, 0.0).action == Action::answer);
}

TEST_CASE("the deadline ends retries: a wait that leaves no time for the attempt is refused") {
    auto p = policy({5, 5, {200ms, 2000ms}, 5s}, 250ms);
    // 100 ms of backoff + 100 ms minimum attempt time < 250 ms: one more try fits.
    CHECK(p.next(response(500), kStart, 0.0).action == Action::retry_after);
    // At 100 ms, 200 ms of backoff would end past the deadline.
    CHECK(p.next(response(500), kStart + 100ms, 0.0).action == Action::answer);
    auto q = policy({5, 5, {200ms, 2000ms}, 5s}, 250ms);
    const auto s = q.next(error(Attempt::Kind::connect_error, NetErrorKind::unreachable), kStart + 100ms, 0.0);
    CHECK(s.action == Action::fail);
    CHECK(s.error.kind == NetErrorKind::unreachable);
}

TEST_CASE("transport errors: resets and refusals are retried, timeouts, TLS and bad responses are not") {
    for (auto kind : {Attempt::Kind::connect_error, Attempt::Kind::exchange_error}) {
        auto p = policy();
        CHECK(p.next(error(kind, NetErrorKind::unreachable), kStart, 0.0).action == Action::retry_after);
        for (auto e : {NetErrorKind::timeout, NetErrorKind::tls, NetErrorKind::bad_response}) {
            auto q = policy();
            const auto s = q.next(error(kind, e), kStart, 0.0);
            CHECK(s.action == Action::fail);
            CHECK(s.error.kind == e);
            CHECK(s.counts);
        }
        auto c = policy();
        const auto s = c.next(error(kind, NetErrorKind::cancelled), kStart, 0.0);
        CHECK(s.action == Action::fail);
        CHECK_FALSE(s.counts);  // a cancellation is not an attempt to report
    }
}

TEST_CASE("a dead keep-alive connection is retried at once, uncounted, a bounded number of times") {
    auto p = policy({0, 2, {}, 5s});  // no backoff retries at all
    const auto stale = error(Attempt::Kind::exchange_error, NetErrorKind::unreachable, /*reused=*/true);
    auto s = p.next(stale, kStart, 0.0);
    CHECK(s.action == Action::retry_now);
    CHECK_FALSE(s.counts);
    CHECK(p.next(stale, kStart, 0.0).action == Action::retry_now);
    s = p.next(stale, kStart, 0.0);  // the free ones are spent: an ordinary failure now
    CHECK(s.action == Action::fail);
    CHECK(s.counts);
    // Not stale: a fresh connection, or a reused one that had started to answer.
    auto q = policy({0, 2, {}, 5s});
    CHECK(q.next(error(Attempt::Kind::exchange_error, NetErrorKind::unreachable, false), kStart, 0.0).action ==
          Action::fail);
    CHECK(q.next(error(Attempt::Kind::exchange_error, NetErrorKind::unreachable, true, true), kStart, 0.0).action ==
          Action::fail);
    CHECK(q.next(error(Attempt::Kind::exchange_error, NetErrorKind::timeout, true), kStart, 0.0).action ==
          Action::fail);
}

TEST_CASE("429: the host is throttled for the asked wait (or the default), retried when that fits") {
    auto p = policy({2, 5, {}, 5s}, 10s);
    auto asked = response(429);
    asked.asked_wait = 2s;
    auto s = p.next(asked, kStart, 0.0);
    CHECK(s.action == Action::throttle);
    CHECK(s.throttle_host == 2s);
    CHECK(s.fallback);
    auto silent = response(429);  // names no wait: the default
    s = p.next(silent, kStart, 0.0);
    CHECK(s.action == Action::throttle);
    CHECK(s.throttle_host == 5s);
    // A wait past the deadline: the 429 is the answer, and the host is throttled all the same.
    auto late = response(429);
    late.asked_wait = 60s;
    auto q = policy({2, 5, {}, 5s}, 10s);
    s = q.next(late, kStart, 0.0);
    CHECK(s.action == Action::answer);
    CHECK(s.throttle_host == 60s);
}

TEST_CASE("redirects: same origin followed (the target changes), others refused, at most three") {
    auto p = policy();
    auto moved = response(301);
    moved.location = "/api/v2/me/elsewhere?x=1";
    auto s = p.next(moved, kStart, 0.0);
    CHECK(s.action == Action::follow);
    CHECK(s.target == "/api/v2/me/elsewhere?x=1");
    CHECK(p.target() == "/api/v2/me/elsewhere?x=1");
    moved.location = "https://circleci.com/api/v2/again";
    CHECK(p.next(moved, kStart, 0.0).action == Action::follow);
    CHECK(p.next(moved, kStart, 0.0).action == Action::follow);
    s = p.next(moved, kStart, 0.0);
    CHECK(s.action == Action::fail);
    CHECK(s.error.message.find("too many redirects") != std::string::npos);

    auto q = policy();
    auto away = response(302);
    away.location = "https://evil.example/steal";
    s = q.next(away, kStart, 0.0);
    CHECK(s.action == Action::fail);
    CHECK(s.error.kind == NetErrorKind::bad_response);
    CHECK(s.error.message.find("refused a redirect") != std::string::npos);
    CHECK(q.target() == "/api/v2/me");  // unchanged
}
