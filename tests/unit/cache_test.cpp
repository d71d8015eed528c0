#include "cache/result_cache.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace std::chrono_literals;
using tjc::cache::CacheSettings;
using tjc::cache::Clock;
using tjc::cache::Refresh;
using tjc::cache::ResultCache;

namespace {
tjc::cache::Value v(std::string s) { return std::make_shared<const std::string>(std::move(s)); }
}  // namespace

TEST_CASE("a miss, then fresh within ttl, then stale with exactly one refresher") {
    ResultCache cache(CacheSettings{60s, 3600s, 100, 1 << 20});
    const auto t0 = Clock::now();
    CHECK(cache.lookup("k", t0).state == ResultCache::State::miss);
    CHECK(cache.join("k", nullptr));
    cache.complete("k", v("[1]"), t0);

    auto hit = cache.lookup("k", t0 + 59s);
    CHECK(hit.state == ResultCache::State::fresh);
    CHECK(*hit.value == "[1]");
    CHECK_FALSE(hit.refresh);

    auto stale1 = cache.lookup("k", t0 + 61s);
    auto stale2 = cache.lookup("k", t0 + 62s);
    CHECK(stale1.state == ResultCache::State::stale);
    CHECK(stale1.refresh);
    CHECK(stale2.state == ResultCache::State::stale);
    CHECK_FALSE(stale2.refresh);  // one refresh at a time
    CHECK(*stale2.value == "[1]");

    cache.complete("k", v("[2]"), t0 + 63s);
    auto after = cache.lookup("k", t0 + 64s);
    CHECK(after.state == ResultCache::State::fresh);
    CHECK(*after.value == "[2]");
}

TEST_CASE("entries older than max_stale are misses") {
    ResultCache cache(CacheSettings{1s, 10s, 100, 1 << 20});
    const auto t0 = Clock::now();
    cache.complete("k", v("x"), t0);
    CHECK(cache.lookup("k", t0 + 9s).state == ResultCache::State::stale);
    CHECK(cache.lookup("k", t0 + 11s).state == ResultCache::State::miss);
}

TEST_CASE("single flight: followers wait for the leader and get its value") {
    ResultCache cache;
    int served = 0;
    CHECK(cache.join("k", nullptr));
    for (int i = 0; i < 5; ++i) {
        CHECK_FALSE(cache.join("k", [&](const tjc::cache::Value& value, Clock::time_point) {
            CHECK(*value == "done");
            ++served;
        }));
    }
    auto done = cache.complete("k", v("done"), Clock::now());
    CHECK(done.waiters.size() == 5);
    for (auto& w : done.waiters) {
        w(done.value, done.fetched_at);
    }
    CHECK(served == 5);
    CHECK_FALSE(cache.join("k", nullptr));  // the flight ended with a fresh value: nothing to fetch
}

TEST_CASE("an error never replaces good cards, and waiters get the last good ones") {
    ResultCache cache(CacheSettings{1s, 3600s, 100, 1 << 20});
    const auto t0 = Clock::now();
    cache.complete("k", v("good"), t0);
    auto stale = cache.lookup("k", t0 + 5s);
    REQUIRE(stale.refresh);
    auto failed = cache.complete("k", nullptr, t0 + 6s);
    REQUIRE(failed.value);
    CHECK(*failed.value == "good");
    CHECK(failed.fetched_at == t0);
    // The failed refresh released the slot: the next stale lookup may refresh again.
    CHECK(cache.lookup("k", t0 + 7s).refresh);
    CHECK(*cache.last_good("k").value == "good");
}

TEST_CASE("an error without earlier cards gives waiters nothing") {
    ResultCache cache;
    CHECK(cache.join("k", nullptr));
    auto failed = cache.complete("k", nullptr, Clock::now());
    CHECK_FALSE(failed.value);
    CHECK(cache.lookup("k", Clock::now()).state == ResultCache::State::miss);
}

TEST_CASE("LRU bounds: entries and bytes") {
    ResultCache by_count(CacheSettings{60s, 3600s, 3, 1 << 20});
    const auto t0 = Clock::now();
    for (int i = 0; i < 5; ++i) {
        by_count.complete("k" + std::to_string(i), v("x"), t0);
    }
    CHECK(by_count.size() == 3);
    CHECK(by_count.lookup("k0", t0).state == ResultCache::State::miss);
    CHECK(by_count.lookup("k4", t0).state == ResultCache::State::fresh);

    // A lookup makes an entry recent: k2 survives the next insertion, k3 does not.
    by_count.lookup("k2", t0);
    by_count.complete("k5", v("x"), t0);
    CHECK(by_count.lookup("k2", t0).state == ResultCache::State::fresh);
    CHECK(by_count.lookup("k3", t0).state == ResultCache::State::miss);

    ResultCache by_bytes(CacheSettings{60s, 3600s, 1000, 4096});
    for (int i = 0; i < 10; ++i) {
        by_bytes.complete("b" + std::to_string(i), v(std::string(1000, 'x')), t0);
    }
    CHECK(by_bytes.bytes() <= 4096);
    CHECK(by_bytes.size() == 3);
}

TEST_CASE("concurrent lookups and completions keep the bounds") {
    ResultCache cache(CacheSettings{60s, 3600s, 64, 1 << 20});
    std::atomic<int> hits{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                const auto key = "k" + std::to_string((i * 7 + t) % 100);
                if (cache.lookup(key, Clock::now()).value) {
                    ++hits;
                } else if (cache.join(key, [](const tjc::cache::Value&, Clock::time_point) {})) {
                    auto c = cache.complete(key, v(key), Clock::now());
                    for (auto& w : c.waiters) {
                        w(c.value, c.fetched_at);
                    }
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    CHECK(cache.size() <= 64);
    CHECK(hits.load() > 0);
}

TEST_CASE("a look without a claim leaves the refresh to the next caller") {
    ResultCache cache(CacheSettings{1s, 3600s, 100, 1 << 20});
    const auto t0 = Clock::now();
    cache.complete("k", v("x"), t0);
    auto peek = cache.lookup("k", t0 + 2s, Refresh::leave);
    CHECK(peek.state == ResultCache::State::stale);
    CHECK_FALSE(peek.refresh);
    CHECK(cache.lookup("k", t0 + 2s).refresh);
}

TEST_CASE("a join after the flight ended gets the fresh value at once, not a second fetch") {
    ResultCache cache;
    const auto t0 = Clock::now();
    CHECK(cache.lookup("k", t0).state == ResultCache::State::miss);  // a caller sees a miss...
    CHECK(cache.join("k", nullptr, t0));                             // ...another leads and ends
    cache.complete("k", v("done"), t0);
    std::string got;
    CHECK_FALSE(cache.join(
        "k", [&](const tjc::cache::Value& value, Clock::time_point) { got = *value; }, t0));
    CHECK(got == "done");
    CHECK(cache.join("k", nullptr, t0 + std::chrono::hours(1)));  // stale by then: a refresh leads
}

TEST_CASE("invalidate_if: marked entries are misses (fetched again once), last_good still has them") {
    ResultCache cache(CacheSettings{60s, 3600s, 100, 1 << 20});
    const auto t0 = Clock::now();
    cache.complete("gh/acme/a\nmain\n", v("[a]"), t0);
    cache.complete("gh/acme/a\nfeature\n", v("[f]"), t0);
    cache.complete("gh/acme/b\nmain\n", v("[b]"), t0);
    const auto marked = cache.invalidate_if([](const std::string& key) { return key.starts_with("gh/acme/a\nmain"); });
    CHECK(marked == 1);
    CHECK(cache.lookup("gh/acme/a\nmain\n", t0 + 1s).state == ResultCache::State::miss);
    CHECK(cache.lookup("gh/acme/a\nfeature\n", t0 + 1s).state == ResultCache::State::fresh);
    CHECK(cache.lookup("gh/acme/b\nmain\n", t0 + 1s).state == ResultCache::State::fresh);
    CHECK(*cache.last_good("gh/acme/a\nmain\n").value == "[a]");  // stale-on-error keeps working
    // One fetch for it, even though a fresh-looking entry is still held.
    CHECK(cache.join("gh/acme/a\nmain\n", nullptr, t0 + 1s));
    CHECK_FALSE(cache.join(
        "gh/acme/a\nmain\n", [](const tjc::cache::Value&, Clock::time_point) {}, t0 + 1s));
    cache.complete("gh/acme/a\nmain\n", v("[a2]"), t0 + 2s);
    const auto after = cache.lookup("gh/acme/a\nmain\n", t0 + 3s);
    CHECK(after.state == ResultCache::State::fresh);
    CHECK(*after.value == "[a2]");
    CHECK(cache.invalidate_if([](const std::string&) { return false; }) == 0);
}
