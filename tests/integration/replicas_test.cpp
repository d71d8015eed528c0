// Several `tj-host serve` replicas sharing one Redis (issue 16): Debian's redis-server started
// here on a free loopback port without persistence, two tj-host serve processes, the CircleCI
// test server. What a deployment behind a load balancer relies on: one upstream fetch set for
// a burst spread over the replicas, a webhook to one replica making every replica's next answer
// fresh, Redis dying under load failing no request, and sharing coming back by itself.
#include <doctest/doctest.h>

#include "redis_process.hpp"
#include "serve_support.hpp"
#include "subprocess.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sys/stat.h>

using namespace serve_support;

namespace {

const std::string kWebhookSecret = "whsec-replicas-test";

std::vector<std::string> replica_args(const Upstream& up, const RedisServer& redis,
                                      std::vector<std::string> extra = {}) {
    auto args = plugin_args(up, {"--redis", redis.url(), "--max-connections", "4000", "--rate-limit", "0/1"});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

std::map<std::string, std::string> replica_env(const Upstream& up) {
    auto env = up.env;
    env["INTEGRATION_CIRCLECI_WEBHOOK_SECRET"] = kWebhookSecret;
    return env;
}

// Every request on a connection of its own, all sent before any answer is read: they are in
// flight at once. Bounded: whatever has not answered within the limit is status 0.
std::vector<Response> concurrent(const std::vector<std::pair<std::uint16_t, std::string>>& requests,
                                 std::chrono::milliseconds limit = 60s) {
    std::vector<int> fds;
    for (const auto& [port, body] : requests) {
        const int fd = connect_to(port);
        send_all(fd, request_text("POST", "/context", body, {}));
        fds.push_back(fd);
    }
    std::vector<std::string> raw(fds.size());
    std::vector<pollfd> polls;
    for (const int fd : fds) {
        polls.push_back({fd, POLLIN, 0});
    }
    std::size_t open = fds.size();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (open > 0 && std::chrono::steady_clock::now() < deadline) {
        if (::poll(polls.data(), polls.size(), 200) <= 0) {
            continue;
        }
        for (std::size_t i = 0; i < polls.size(); ++i) {
            if (polls[i].fd < 0 || !(polls[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                continue;
            }
            char buf[16384];
            const auto got = ::recv(polls[i].fd, buf, sizeof buf, 0);
            if (got > 0) {
                raw[i].append(buf, static_cast<std::size_t>(got));
                continue;
            }
            ::close(polls[i].fd);
            polls[i].fd = -1;
            --open;
        }
    }
    std::vector<Response> out;
    for (std::size_t i = 0; i < polls.size(); ++i) {
        if (polls[i].fd >= 0) {
            ::close(polls[i].fd);
        }
        out.push_back(parse_response(raw[i]));
    }
    return out;
}

std::string hmac_hex(const std::string& secret, const std::string& body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
    std::string hex;
    char two[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(two, sizeof two, "%02x", mac[i]);
        hex += two;
    }
    return hex;
}

// A workflow-completed delivery for a project, as CircleCI sends it (its GitHub OAuth form:
// the project's slug as github/<org>/<repo>).
std::string delivery(const std::string& id, const std::string& org_repo, const std::string& branch) {
    return json::serialize(json::object{
        {"id", id},
        {"type", "workflow-completed"},
        {"happened_at", "2026-01-01T12:00:00.000Z"},
        {"project", {{"id", "p-1"}, {"name", org_repo.substr(org_repo.find('/') + 1)}, {"slug", "github/" + org_repo}}},
        {"workflow", {{"id", "w-new"}, {"name", "build-and-test"}, {"status", "failed"}}},
        {"pipeline", {{"id", "p-new"}, {"number", 1249}, {"vcs", {{"provider_name", "github"}, {"branch", branch}}}}}});
}

Response post_webhook(std::uint16_t port, const std::string& body, const std::string& signature) {
    std::vector<std::pair<std::string, std::string>> headers{{"circleci-event-type", "workflow-completed"}};
    if (!signature.empty()) {
        headers.emplace_back("circleci-signature", signature);
    }
    return http(port, "POST", "/webhooks/circleci", body, headers);
}

// The world after a workflow of acme/passing failed: a newer pipeline whose workflows failed.
std::string world_with_failed_passing() {
    auto world = json::parse(read_file(TJC_FIXTURES_DIR "/world.json"));
    auto& project = world.at("projects").at("gh/acme/passing").as_object();
    auto& pipelines = project.at("pipelines").as_array();
    auto newest = pipelines.at(0).as_object();
    const auto old_id = std::string(newest.at("id").as_string());
    const std::string new_id = "9b8f6a20-0000-4000-8000-000000001249";
    newest["id"] = new_id;
    newest["number"] = newest.at("number").as_int64() + 1;
    newest["created_at"] = "2026-01-01T11:55:00.000Z";
    newest["updated_at"] = "2026-01-01T11:55:02.000Z";
    json::array workflows;
    int n = 0;
    for (auto w : project.at("workflows").at(old_id).as_array()) {
        auto& o = w.as_object();
        o["id"] = "9b8f6a20-0000-4000-8000-00000000w00" + std::to_string(n++);
        o["pipeline_id"] = new_id;
        o["pipeline_number"] = newest.at("number");
        o["status"] = "failed";
        o["created_at"] = "2026-01-01T11:55:01.000Z";
        o["stopped_at"] = "2026-01-01T11:58:00.000Z";
        workflows.push_back(std::move(w));
    }
    project.at("workflows").as_object()[new_id] = std::move(workflows);
    pipelines.insert(pipelines.begin(), std::move(newest));
    return write_file("world-failed.json", json::serialize(world));
}

// A replica connects to Redis behind its start: wait (bounded) until it says it shares.
void wait_sharing(const Serve& replica) {
    const auto limit = std::chrono::steady_clock::now() + 30s;
    while (http(replica.port(), "GET", "/health").json().at("redis") != "ok" &&
           std::chrono::steady_clock::now() < limit) {
        std::this_thread::sleep_for(10ms);
    }
    REQUIRE(http(replica.port(), "GET", "/health").json().at("redis") == "ok");
}

// The value of one series in /metrics' text (a line of its own, not a # HELP line); 0 when absent.
double metric(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

TEST_CASE("two replicas, one Redis: 1,000 concurrent POST /context for one repo cost one upstream fetch set") {
    RedisServer redis;
    Upstream up;
    // One cold fetch set of the repo: what a single query costs, counted by the test server.
    const auto before = up.server.requests();
    const auto cold = tjtest::run_process(
        {TJ_HOST_PATH, "query", "--plugin", TJC_PLUGIN_PATH, "--config", up.config, "--repo", "acme/passing"}, up.env);
    REQUIRE(cold.exit_code == 0);
    const auto fetch_set = up.server.requests() - before;
    REQUIRE(fetch_set > 0);

    // Roomy deadlines (20 s: waiting ends at 15 s) for loaded machines and the sanitizers.
    Serve a(replica_args(up, redis, {"--timeout-ms", "20000", "--redis-timeout-ms", "2000"}), up.env);
    Serve b(replica_args(up, redis, {"--timeout-ms", "20000", "--redis-timeout-ms", "2000"}), up.env);
    INFO("A: " << a.stderr_text() << "\nB: " << b.stderr_text());
    wait_sharing(a);
    wait_sharing(b);
    // Slow enough that the whole burst arrives while the first fetch is still under way.
    up.server.set_fault({tjc::testing::FaultKind::latency, "", -1, 150ms});
    const auto start = up.server.requests();
    std::vector<std::pair<std::uint16_t, std::string>> burst;
    for (int i = 0; i < 1000; ++i) {
        burst.emplace_back(i % 2 ? a.port() : b.port(), context_of("acme/passing"));
    }
    const auto answers = concurrent(burst);
    up.server.clear_faults();

    std::size_t ok = 0;
    for (const auto& r : answers) {
        if (r.status == 200 && r.json().at("failedCount") == 0 &&
            any_starts_with(contents(r.json()), "CircleCI main: passed")) {
            ++ok;
        }
    }
    CHECK(ok == 1000);
    CHECK(up.server.requests() - start == fetch_set);
    // The replica that did not fetch got the answer through Redis (a hit, after waiting on the lock).
    const auto ma = http(a.port(), "GET", "/metrics").body;
    const auto mb = http(b.port(), "GET", "/metrics").body;
    INFO("metrics A:\n" << ma << "\nmetrics B:\n" << mb);
    // One replica ran its plugin (one miss); the other found its answer in Redis (a hit, once per
    // local flight: more than one if a request came after its first flight ended unstored).
    CHECK(metric(ma, "tj_host_redis_cache_total{result=\"miss\"}") +
              metric(mb, "tj_host_redis_cache_total{result=\"miss\"}") ==
          1);
    CHECK(metric(ma, "tj_host_redis_cache_total{result=\"hit\"}") +
              metric(mb, "tj_host_redis_cache_total{result=\"hit\"}") >=
          1);
    CHECK(metric(ma, "tj_host_redis_up") == 1);
}

TEST_CASE(
    "a signed webhook to replica A makes replica B's next answer fresh, and forged, unsigned, replayed ones are "
    "refused") {
    RedisServer redis;
    Upstream up;
    Serve a(replica_args(up, redis, {"--redis-timeout-ms", "2000"}), replica_env(up));
    Serve b(replica_args(up, redis, {"--redis-timeout-ms", "2000"}), replica_env(up));
    INFO("A: " << a.stderr_text() << "\nB: " << b.stderr_text());
    wait_sharing(a);
    wait_sharing(b);
    const auto ctx = context_of("acme/passing");
    REQUIRE(any_starts_with(contents(http(b.port(), "POST", "/context", ctx).json()), "CircleCI main: passed"));
    REQUIRE(any_starts_with(contents(http(a.port(), "POST", "/context", ctx).json()), "CircleCI main: passed"));

    // A workflow fails upstream. Without an event, both caches hide it for their TTL.
    const auto world = world_with_failed_passing();
    up.server.set_world(world);
    auto stale = http(b.port(), "POST", "/context", ctx).json();
    CHECK(stale.at("cacheHits") == 1);
    CHECK(any_starts_with(contents(stale), "CircleCI main: passed"));

    const auto body = delivery("ev-1249", "acme/passing", "main");
    const auto forged = post_webhook(a.port(), body, "v1=" + hmac_hex("not-the-secret", body));
    CHECK(forged.status == 401);
    CHECK(post_webhook(a.port(), body, "").status == 401);
    CHECK(post_webhook(a.port(), body, "v2=" + hmac_hex(kWebhookSecret, body)).status == 401);  // v1 only
    // Refused deliveries changed nothing.
    CHECK(any_starts_with(contents(http(b.port(), "POST", "/context", ctx).json()), "CircleCI main: passed"));

    const auto started = std::chrono::steady_clock::now();
    const auto accepted = post_webhook(a.port(), body, "v1=" + hmac_hex(kWebhookSecret, body));
    const auto ack = std::chrono::steady_clock::now() - started;
    REQUIRE(accepted.status == 200);
    CHECK(accepted.json().at("status") == "accepted");
    CHECK(ack < 5s);  // CircleCI waits 10 s; the plugins take the event and return at once

    // B hears of it through Redis (pub/sub): its next answers are the new status.
    bool fresh = false;
    json::value seen;
    for (int i = 0; i < 150 && !fresh; ++i) {
        seen = http(b.port(), "POST", "/context", ctx).json();
        fresh = any_starts_with(contents(seen), "CircleCI main: failed");
        if (!fresh) {
            std::this_thread::sleep_for(20ms);
        }
    }
    INFO("B's last answer: " << json::serialize(seen));
    CHECK(fresh);
    CHECK(any_starts_with(contents(http(a.port(), "POST", "/context", ctx).json()), "CircleCI main: failed"));

    // Replayed: acknowledged (CircleCI retries what is refused), and ignored.
    const auto signature = "v1=" + hmac_hex(kWebhookSecret, body);
    auto replay = post_webhook(b.port(), body, signature);
    CHECK(replay.status == 200);
    CHECK(replay.json().at("status") == "duplicate");
    replay = post_webhook(a.port(), body, signature);
    CHECK(replay.json().at("status") == "duplicate");
    const auto ma = http(a.port(), "GET", "/metrics").body;
    INFO(ma);
    CHECK(metric(ma, "tj_host_webhook_deliveries_total{result=\"unauthorized\"}") == 3);
    CHECK(metric(ma, "tj_host_webhook_deliveries_total{result=\"accepted\"}") == 1);
    CHECK(metric(ma, "tj_host_webhook_deliveries_total{result=\"duplicate\"}") == 1);
    CHECK(metric(ma, "tj_host_events_notified_total{from=\"webhook\"}") == 1);
    const auto mb = http(b.port(), "GET", "/metrics").body;
    CHECK(metric(mb, "tj_host_events_notified_total{from=\"replica\"}") == 1);
    CHECK(metric(mb, "tj_host_webhook_deliveries_total{result=\"duplicate\"}") == 1);
    std::remove(world.c_str());
}

TEST_CASE("Redis killed in the middle of load: no request fails, /health says degraded, sharing resumes by itself") {
    auto redis = std::make_unique<RedisServer>();
    Upstream up;
    Serve a(replica_args(up, *redis, {"--redis-timeout-ms", "1000"}), up.env);
    Serve b(replica_args(up, *redis, {"--redis-timeout-ms", "1000"}), up.env);
    INFO("A: " << a.stderr_text() << "\nB: " << b.stderr_text());
    wait_sharing(a);
    wait_sharing(b);
    const std::vector<std::string> repos{"acme/passing", "acme/failing", "acme/running", "acme/on-hold",
                                         "acme/deploys"};

    constexpr int kThreads = 4, kEach = 50;
    std::atomic<int> done{0}, failed{0};
    std::vector<std::string> problems(kThreads);
    std::vector<std::thread> load;
    for (int t = 0; t < kThreads; ++t) {
        load.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                // New keys all along (a branch per request): misses, locks and publishes, not only local hits.
                const auto ctx = context_of(repos[static_cast<std::size_t>(i) % repos.size()],
                                            "branch-" + std::to_string(t) + "-" + std::to_string(i / 2));
                try {
                    const auto r = http(i % 2 ? a.port() : b.port(), "POST", "/context", ctx);
                    if (r.status != 200 || r.json().at("failedCount") != 0) {
                        ++failed;
                        problems[static_cast<std::size_t>(t)] = r.raw;
                    }
                } catch (const std::exception& e) {
                    ++failed;
                    problems[static_cast<std::size_t>(t)] = e.what();
                }
                ++done;
            }
        });
    }
    const auto limit = std::chrono::steady_clock::now() + 60s;
    while (done < kThreads * kEach / 3 && std::chrono::steady_clock::now() < limit) {
        std::this_thread::sleep_for(5ms);
    }
    redis->kill();  // mid-load, as a crash would
    for (auto& t : load) {
        t.join();
    }
    for (const auto& p : problems) {
        if (!p.empty()) {
            INFO("a failed answer: " << p);
        }
    }
    CHECK(done == kThreads * kEach);
    CHECK(failed == 0);

    auto health = http(a.port(), "GET", "/health");
    CHECK(health.status == 200);
    CHECK(health.json().at("status") == "ok");
    CHECK(health.json().at("redis") == "degraded");
    CHECK(metric(http(a.port(), "GET", "/metrics").body, "tj_host_redis_up") == 0);

    // Redis comes back (same port, empty): both replicas reconnect and share again.
    redis->start();
    const auto back_by = std::chrono::steady_clock::now() + 20s;
    auto is_ok = [](std::uint16_t port) { return http(port, "GET", "/health").json().at("redis") == "ok"; };
    while (!(is_ok(a.port()) && is_ok(b.port())) && std::chrono::steady_clock::now() < back_by) {
        std::this_thread::sleep_for(50ms);
    }
    REQUIRE(is_ok(a.port()));
    REQUIRE(is_ok(b.port()));
    const auto hits_before =
        metric(http(b.port(), "GET", "/metrics").body, "tj_host_redis_cache_total{result=\"hit\"}");
    const auto ctx = context_of("acme/passing", "after-restart");
    REQUIRE(http(a.port(), "POST", "/context", ctx).status == 200);
    const auto requests = up.server.requests();
    bool shared = false;
    for (int i = 0; i < 50 && !shared; ++i) {  // A's publish is fire and forget: bounded wait for it
        const auto ctx_i = context_of("acme/passing", "after-restart");
        auto r = http(b.port(), "POST", "/context", ctx_i).json();
        shared = r.at("cacheHits") == 1;
        if (!shared) {
            std::this_thread::sleep_for(20ms);
        }
    }
    CHECK(shared);
    CHECK(up.server.requests() == requests);  // B asked nobody upstream
    CHECK(metric(http(b.port(), "GET", "/metrics").body, "tj_host_redis_cache_total{result=\"hit\"}") ==
          hits_before + 1);
}

TEST_CASE("a Redis that hangs: each call gives up at its deadline, every request is answered, it recovers by itself") {
    RedisServer redis;
    Upstream up;
    Serve a(replica_args(up, redis, {"--redis-timeout-ms", "300"}), up.env);
    INFO("A: " << a.stderr_text());
    wait_sharing(a);
    REQUIRE(http(a.port(), "POST", "/context", context_of("acme/passing")).status == 200);
    redis.pause();  // connections stay open; nothing answers
    auto ask = [&](int i) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = http(a.port(), "POST", "/context", context_of("acme/failing", "hang-" + std::to_string(i)));
        const auto took = std::chrono::steady_clock::now() - t0;
        CHECK(r.status == 200);
        CHECK(r.json().at("failedCount") == 0);
        CHECK(any_starts_with(contents(r.json()), "CircleCI"));
        CHECK(took < 5s);  // the request's own deadline, whatever Redis does
        return took;
    };
    // The first call waits its 300 ms, gives up, and the plugin answers.
    CHECK(ask(0) >= 250ms);
    // Then the connection is closed and made again; whatever a call meets (a timeout, a refused
    // call while reconnecting or while the breaker is open), the request is answered.
    constexpr int kMore = 8;
    for (int i = 1; i <= kMore; ++i) {
        ask(i);
    }
    const auto m = http(a.port(), "GET", "/metrics").body;
    INFO(m);
    CHECK(metric(m, "tj_host_redis_errors_total") >= kMore + 1);  // each request's look-up failed
    CHECK(metric(m, "tj_host_redis_cache_total{result=\"error\"}") >= kMore + 1);
    CHECK(metric(m, "tj_host_redis_up") == 0);
    CHECK(http(a.port(), "GET", "/health").json().at("redis") == "degraded");
    redis.resume();
    // No request needed: the connection comes back (and an open breaker is probed) by itself.
    const auto back_by = std::chrono::steady_clock::now() + 30s;
    while (http(a.port(), "GET", "/health").json().at("redis") != "ok" && std::chrono::steady_clock::now() < back_by) {
        std::this_thread::sleep_for(100ms);
    }
    CHECK(http(a.port(), "GET", "/health").json().at("redis") == "ok");
}
