// Benchmark of tj-host serve's shared cache (not a ctest test: it prints figures, it never
// fails on noise). Two replicas and one Redis on loopback, the CircleCI test server behind:
// a cross-replica hit (a context replica A answered, asked of replica B for the first time: a
// local miss, found in Redis) beside a local hit (B again), as latency over keep-alive
// connections (p50/p99) and as requests per second from 8 client threads.
//
//   cmake --build build --target bench_replicas && build/tests/bench/bench_replicas
#include <doctest/doctest.h>

#include "redis_process.hpp"
#include "serve_support.hpp"

#include <algorithm>
#include <cstdio>

using namespace serve_support;

namespace {

// One keep-alive connection: a request, then its answer read up to its Content-Length.
class KeepAlive {
public:
    explicit KeepAlive(std::uint16_t port) : fd_(connect_to(port)) {}
    ~KeepAlive() { ::close(fd_); }
    KeepAlive(const KeepAlive&) = delete;
    KeepAlive& operator=(const KeepAlive&) = delete;

    int post(const std::string& body) {
        send_all(fd_,
                 "POST /context HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body);
        std::string in;
        char buf[16384];
        for (;;) {
            const auto end = in.find("\r\n\r\n");
            if (end != std::string::npos) {
                const auto cl = in.find("Content-Length: ");
                const auto need = end + 4 + (cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16)));
                if (in.size() >= need) {
                    return std::stoi(in.substr(9, 3));
                }
            }
            const auto got = ::recv(fd_, buf, sizeof buf, 0);
            if (got <= 0) {
                return 0;
            }
            in.append(buf, static_cast<std::size_t>(got));
        }
    }

private:
    int fd_;
};

std::string page(int i) {
    return json::serialize(json::object{{"type", "github"},
                                        {"url", "https://github.com/acme/passing?k=" + std::to_string(i)},
                                        {"page", {{"repository", "acme/passing"}}}});
}

struct Latency {
    double p50_us = 0, p99_us = 0;
};

Latency latency(std::vector<double> us) {
    std::sort(us.begin(), us.end());
    return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)]};
}

// Each key once on one connection, timed one by one.
std::vector<double> timed(std::uint16_t port, int from, int to, int& failures) {
    KeepAlive c(port);
    std::vector<double> us;
    for (int i = from; i < to; ++i) {
        const auto body = page(i);
        const auto t0 = std::chrono::steady_clock::now();
        if (c.post(body) != 200) {
            ++failures;
        }
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    return us;
}

// Keys [from, to) split over 8 threads, each on its own connection: requests per second.
double rate(std::uint16_t port, int from, int to, int& failures) {
    constexpr int kThreads = 8;
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    const auto t0 = std::chrono::steady_clock::now();
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            KeepAlive c(port);
            for (int i = from + t; i < to; i += kThreads) {
                if (c.post(page(i)) != 200) {
                    ++failed;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    failures += failed;
    return (to - from) / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A's answers are published to Redis behind its reply: wait until the last key is there.
void fill(std::uint16_t a, int from, int to, int& failures) {
    KeepAlive c(a);
    for (int i = from; i < to; ++i) {
        if (c.post(page(i)) != 200) {
            ++failures;
        }
    }
    std::this_thread::sleep_for(300ms);
}

}  // namespace

TEST_CASE("bench: cross-replica hits (Redis) beside local hits") {
    RedisServer redis;
    Upstream up;
    const std::vector<std::string> common{"--redis", redis.url(), "--rate-limit", "0/1"};
    Serve a(plugin_args(up, common), up.env);
    Serve b(plugin_args(up, common), up.env);
    for (const auto* replica : {&a, &b}) {  // connected to Redis (behind their start) before measuring
        const auto limit = std::chrono::steady_clock::now() + 30s;
        while (http(replica->port(), "GET", "/health").json().at("redis") != "ok" &&
               std::chrono::steady_clock::now() < limit) {
            std::this_thread::sleep_for(10ms);
        }
    }
    constexpr int kLatencyKeys = 2000, kRateKeys = 8000;
    int failures = 0;

    fill(a.port(), 0, kLatencyKeys, failures);
    const auto cross = latency(timed(b.port(), 0, kLatencyKeys, failures));
    const auto local = latency(timed(b.port(), 0, kLatencyKeys, failures));
    fill(a.port(), kLatencyKeys, kLatencyKeys + kRateKeys, failures);
    const auto cross_rps = rate(b.port(), kLatencyKeys, kLatencyKeys + kRateKeys, failures);
    const auto local_rps = rate(b.port(), kLatencyKeys, kLatencyKeys + kRateKeys, failures);

    const auto metrics = http(b.port(), "GET", "/metrics").body;
    auto value = [&](const std::string& series) {
        const auto at = metrics.find("\n" + series + " ");
        return at == std::string::npos ? 0.0 : std::stod(metrics.substr(at + series.size() + 2));
    };
    std::printf("\n| figure (replica B, keep-alive, loopback) | local hit | cross-replica hit (Redis) |\n");
    std::printf("|---|---|---|\n");
    std::printf("| p50 / p99, %d keys, 1 connection | %.0f / %.0f us | %.0f / %.0f us |\n", kLatencyKeys, local.p50_us,
                local.p99_us, cross.p50_us, cross.p99_us);
    std::printf("| requests/s, %d keys, 8 connections | %.0f /s | %.0f /s |\n", kRateKeys, local_rps, cross_rps);
    std::printf(
        "\nB's Redis look-ups: %.0f hits, %.0f misses, %.0f errors; failed requests: %d; upstream requests: %zu\n",
        value("tj_host_redis_cache_total{result=\"hit\"}"), value("tj_host_redis_cache_total{result=\"miss\"}"),
        value("tj_host_redis_cache_total{result=\"error\"}"), failures, up.server.requests());
    CHECK(failures == 0);  // a broken run, not a slow one
}
