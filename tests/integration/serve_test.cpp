// `tj-host serve` over real HTTP: the real tj-host process, the real plugin (and fixture
// plugins) against the CircleCI test server on loopback, and a small blocking HTTP client
// (raw sockets, so that malformed and slow requests can be sent as they are).
#include <doctest/doctest.h>

#include "serve_support.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace serve_support;

namespace json = boost::json;
using namespace std::chrono_literals;

TEST_CASE("POST /context answers as ToolJump does, a second query is a cache hit, /config, /health, /metrics") {
    Upstream up;
    Serve serve(plugin_args(up), up.env);
    INFO("stderr: " << serve.stderr_text());
    CHECK(serve.url().starts_with("http://127.0.0.1:"));

    auto r = http(serve.port(), "POST", "/context", context_of("acme/passing"));
    REQUIRE(r.status == 200);
    CHECK(contains(r.header("content-type"), "application/json"));
    auto v = r.json();
    const auto cards = contents(v);
    INFO(r.body);
    CHECK(any_starts_with(cards, "CircleCI main: passed"));
    CHECK(v.at("count") == v.at("data").as_array().size());
    CHECK(v.at("cacheHits") == 0);
    CHECK(v.at("failedCount") == 0);
    CHECK(v.at("integrationNames") == json::array{"circleci"});
    CHECK(v.at("timestamp").as_string().size() == 24);  // 2026-11-28T12:00:00.000Z

    const auto upstream_before = up.server.requests();
    auto again = http(serve.port(), "POST", "/context", context_of("acme/passing")).json();
    CHECK(again.at("cacheHits") == 1);
    CHECK(again.at("data") == v.at("data"));
    CHECK(up.server.requests() == upstream_before);  // answered by the host cache

    // Another branch is another key (the manifest's cacheKey holds page.section.hash).
    auto feature = http(serve.port(), "POST", "/context", context_of("acme/passing", "feature/login")).json();
    CHECK(feature.at("cacheHits") == 0);

    // A page from which nothing maps: the plugin runs (it matches every page) and answers [].
    const auto before_aws = up.server.requests();
    auto aws =
        http(serve.port(), "POST", "/context", R"({"type":"aws","url":"https://console.aws.amazon.com/ec2"})").json();
    CHECK(aws.at("data").as_array().empty());
    CHECK(aws.at("count") == 0);
    CHECK(aws.at("integrationNames") == json::array{"circleci"});
    CHECK(up.server.requests() == before_aws);

    auto config = http(serve.port(), "GET", "/config");
    REQUIRE(config.status == 200);
    const auto cv = config.json();
    std::map<std::string, bool> enabled;
    for (const auto& a : cv.at("adapters").as_array()) {
        enabled[std::string(a.at("name").as_string())] = a.at("enabled").as_bool();
        CHECK(a.at("urls").is_array());
        CHECK(a.at("description").is_string());
    }
    // The plugin's manifest matches every context type.
    CHECK(enabled == std::map<std::string, bool>{{"aws", true}, {"generic", true}, {"github", true}});
    CHECK(cv.at("customDomains") == json::array{});
    CHECK(cv.at("timestamp").is_string());

    auto health = http(serve.port(), "GET", "/health");
    REQUIRE(health.status == 200);
    CHECK(health.json().at("status") == "ok");
    CHECK(health.json().at("integrations") == json::array{"circleci"});

    auto metrics = http(serve.port(), "GET", "/metrics");
    REQUIRE(metrics.status == 200);
    CHECK(contains(metrics.header("content-type"), "text/plain; version=0.0.4"));
    const auto& m = metrics.body;
    INFO(m);
    for (const char* name :
         {"# TYPE tj_host_http_requests_total counter", "# TYPE tj_host_http_request_duration_seconds histogram",
          "# TYPE tj_host_integration_queries_total counter",
          "# TYPE tj_host_integration_query_duration_seconds histogram",
          "# TYPE tj_host_result_cache_hits_total counter", "# TYPE tj_host_result_cache_misses_total counter"}) {
        CAPTURE(name);
        CHECK(contains(m, name));
    }
    CHECK(contains(m, "tj_host_http_requests_total{endpoint=\"context\",code=\"200\"} 4\n"));
    CHECK(contains(m, "tj_host_integration_queries_total{integration=\"circleci\",outcome=\"cached\"} 1\n"));
    // The AWS page ran the plugin too (it matches every page) and got [].
    CHECK(contains(m, "tj_host_integration_queries_total{integration=\"circleci\",outcome=\"ok\"} 3\n"));
    CHECK(contains(m, "tj_host_result_cache_hits_total{integration=\"circleci\"} 1\n"));
    CHECK(contains(m, "tj_host_result_cache_misses_total{integration=\"circleci\"} 3\n"));
    CHECK(contains(m, "tj_host_integration_query_duration_seconds_count{integration=\"circleci\"} 3\n"));
    // The plugin's own counters (its stats api): the two queries the host cache did not answer.
    for (const char* name : {"# TYPE tj_plugin_queries_total counter", "# TYPE tj_plugin_cache_total counter",
                             "# TYPE tj_plugin_upstream_requests_total counter",
                             "# TYPE tj_plugin_upstream_transport_errors_total counter"}) {
        CAPTURE(name);
        CHECK(contains(m, name));
    }
    // Three queries reached the plugin. The hash-only "feature/login" context (no /tree/ in
    // its URL) shows the default branch, which the plugin had cached: a hit. The AWS page
    // mapped nothing, so it met no cache.
    CHECK(contains(m, "tj_plugin_queries_total{integration=\"circleci\"} 3\n"));
    CHECK(contains(m, "tj_plugin_cache_total{integration=\"circleci\",result=\"miss\"} 1\n"));
    CHECK(contains(m, "tj_plugin_cache_total{integration=\"circleci\",result=\"hit\"} 1\n"));
    CHECK(contains(m, "tj_plugin_upstream_requests_total{integration=\"circleci\",status=\"200\"} "));
    CHECK(contains(m, "tj_plugin_upstream_transport_errors_total{integration=\"circleci\"} 0\n"));
    // Per secret name (the plugin's stats say which secret's token each request carried).
    CHECK(contains(m,
                   "tj_plugin_upstream_requests_by_secret_total{integration=\"circleci\",secret=\"CIRCLECI_TOKEN\"} "));
    CHECK(contains(m, "tj_plugin_upstream_unauthorized_total{integration=\"circleci\",secret=\"CIRCLECI_TOKEN\"} 0\n"));
    CHECK_FALSE(contains(m, kToken + "\""));  // the name, never the value
    // The counters move: the host's on a cached query, the plugin's on one that reaches it.
    http(serve.port(), "POST", "/context", context_of("acme/passing"));
    CHECK(contains(http(serve.port(), "GET", "/metrics").body,
                   "tj_host_integration_queries_total{integration=\"circleci\",outcome=\"cached\"} 2\n"));
    http(serve.port(), "POST", "/context", context_of("acme/failing"));
    const auto moved = http(serve.port(), "GET", "/metrics").body;
    CHECK(contains(moved, "tj_plugin_queries_total{integration=\"circleci\"} 4\n"));
    CHECK(contains(moved, "tj_plugin_cache_total{integration=\"circleci\",result=\"miss\"} 2\n"));
    // HEAD: GET's header (its Content-Length too), no body.
    const auto get_health = http(serve.port(), "GET", "/health");
    const auto head_health = http(serve.port(), "HEAD", "/health");
    CHECK(head_health.status == 200);
    CHECK(head_health.body.empty());
    CHECK(head_health.header("content-length") == std::to_string(get_health.body.size()));
    CHECK(head_health.header("content-type") == get_health.header("content-type"));
    CHECK_FALSE(contains(serve.stderr_text(), kToken));
}

TEST_CASE("every error over HTTP: malformed JSON, missing fields, oversized body, wrong method, unknown path") {
    Upstream up;
    Serve serve(plugin_args(up), up.env);
    INFO("stderr: " << serve.stderr_text());

    auto r = http(serve.port(), "POST", "/context", "{\"type\": \"github\", ");
    REQUIRE(r.status == 400);
    auto v = r.json();
    CHECK(v.at("error") == "Invalid request body");
    CHECK(v.at("details").at(0).at("path") == "");
    CHECK(v.at("details").at(0).at("message").as_string().starts_with("Malformed JSON: "));

    r = http(serve.port(), "POST", "/context", R"({"url":42})");
    REQUIRE(r.status == 400);
    v = r.json();
    REQUIRE(v.at("details").as_array().size() == 2);
    CHECK(v.at("details").at(0) == json::value(json::object{{"path", "type"}, {"message", "Required"}}));
    CHECK(v.at("details").at(1) ==
          json::value(json::object{{"path", "url"}, {"message", "Expected string, received number"}}));

    r = http(serve.port(), "POST", "/context", "[]");
    CHECK(r.status == 400);
    r = http(serve.port(), "POST", "/context", "");
    CHECK(r.status == 400);

    // Over 100 kB: refused from its Content-Length, before the body is read.
    std::string big =
        R"({"type":"github","url":"https://github.com/a/b","pad":")" + std::string(150 * 1024, 'x') + "\"}";
    r = http(serve.port(), "POST", "/context", big);
    CHECK(r.status == 413);
    CHECK(contains(r.body, "larger than 102400 bytes"));
    // Chunked, with no length given up front: refused once 100 kB have arrived.
    {
        const int fd = connect_to(serve.port());
        std::string req =
            "POST /context HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        for (int i = 0; i < 30; ++i) {
            req += "1000\r\n" + std::string(0x1000, 'y') + "\r\n";
        }
        req += "0\r\n\r\n";
        send_all(fd, req);
        const auto chunked = parse_response(read_all(fd));
        ::close(fd);
        CHECK(chunked.status == 413);
    }
    // Just under the limit is fine (a real context with padding).
    std::string fits =
        R"({"type":"github","url":"https://github.com/acme/passing","pad":")" + std::string(90 * 1024, 'x') + "\"}";
    CHECK(http(serve.port(), "POST", "/context", fits).status == 200);

    r = http(serve.port(), "GET", "/context");
    CHECK(r.status == 405);
    CHECK(r.header("allow") == "POST, OPTIONS");
    CHECK(r.json().at("error") == "Method not allowed");
    r = http(serve.port(), "DELETE", "/health");
    CHECK(r.status == 405);
    CHECK(contains(r.header("allow"), "GET"));

    r = http(serve.port(), "GET", "/nope?x=1");
    CHECK(r.status == 404);
    CHECK(r.json().at("error") == "Not found");

    // Not HTTP at all: 400, and the server goes on.
    {
        const int fd = connect_to(serve.port());
        send_all(fd, "HELLO THERE\r\n\r\n");
        const auto garbage = parse_response(read_all(fd));
        ::close(fd);
        CHECK(garbage.status == 400);
    }
    CHECK(http(serve.port(), "GET", "/health").status == 200);
}

TEST_CASE("the server token: /context, /metrics and /preview need it, /health and /config do not, never logged") {
    Upstream up;
    auto env = up.env;
    env["TOOLJUMP_SERVER_TOKEN"] = kServerToken;
    Serve serve(plugin_args(up), env);
    INFO("stderr: " << serve.stderr_text());
    const auto body = context_of("acme/passing");

    auto r = http(serve.port(), "POST", "/context", body);
    CHECK(r.status == 401);
    CHECK(r.json().at("error") == "Unauthorized");
    CHECK(r.header("www-authenticate") == "Bearer");
    CHECK(http(serve.port(), "POST", "/context", body, {{"Authorization", "Bearer wrong"}}).status == 401);
    CHECK(http(serve.port(), "POST", "/context", body, {{"Authorization", "Bearer " + kServerToken + "x"}}).status ==
          401);
    CHECK(http(serve.port(), "POST", "/context", body, {{"Authorization", kServerToken}}).status == 401);
    r = http(serve.port(), "POST", "/context", body, {{"Authorization", "Bearer " + kServerToken}});
    CHECK(r.status == 200);
    CHECK(any_starts_with(contents(r.json()), "CircleCI main: passed"));

    CHECK(http(serve.port(), "GET", "/metrics").status == 401);
    CHECK(http(serve.port(), "GET", "/metrics", "", {{"Authorization", "Bearer " + kServerToken}}).status == 200);
    CHECK(http(serve.port(), "GET", "/preview?repo=acme/passing").status == 401);
    CHECK(http(serve.port(), "GET", "/health").status == 200);
    CHECK(http(serve.port(), "GET", "/config").status == 200);
    CHECK_FALSE(contains(serve.stderr_text(), kServerToken));
}

TEST_CASE("CORS: preflight for allowed origins, nothing for others") {
    Upstream up;
    Serve serve(plugin_args(up, {"--cors-origin", "https://github.com", "--cors-origin", "chrome-extension://*"}),
                up.env);
    INFO("stderr: " << serve.stderr_text());

    auto r = http(serve.port(), "OPTIONS", "/context", "",
                  {{"Origin", "https://github.com"},
                   {"Access-Control-Request-Method", "POST"},
                   {"Access-Control-Request-Headers", "authorization, content-type"}});
    CHECK(r.status == 204);
    CHECK(r.header("access-control-allow-origin") == "https://github.com");
    CHECK(r.header("vary") == "Origin");
    CHECK(contains(r.header("access-control-allow-methods"), "POST"));
    CHECK(r.header("access-control-allow-headers") == "Authorization, Content-Type");

    r = http(serve.port(), "OPTIONS", "/context", "",
             {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    CHECK(r.status == 403);
    CHECK(r.header("access-control-allow-origin").empty());
    CHECK(r.header("access-control-allow-headers").empty());

    r = http(serve.port(), "POST", "/context", context_of("acme/passing"), {{"Origin", "chrome-extension://abcdef"}});
    CHECK(r.status == 200);
    CHECK(r.header("access-control-allow-origin") == "chrome-extension://abcdef");
    r = http(serve.port(), "POST", "/context", context_of("acme/passing"), {{"Origin", "https://evil.example"}});
    CHECK(r.status == 200);  // answered, but the browser will not hand it to that page
    CHECK(r.header("access-control-allow-origin").empty());
    CHECK(r.header("vary") == "Origin");
    // --cors-origin replaced the defaults.
    r = http(serve.port(), "OPTIONS", "/context", "",
             {{"Origin", "moz-extension://abc"}, {"Access-Control-Request-Method", "POST"}});
    CHECK(r.status == 403);
}

TEST_CASE("rate limit: N requests per client per window, then 429 with Retry-After, /health is not limited") {
    Upstream up;
    Serve serve(plugin_args(up, {"--rate-limit", "3/600"}), up.env);
    INFO("stderr: " << serve.stderr_text());
    for (int i = 0; i < 3; ++i) {
        REQUIRE(http(serve.port(), "POST", "/context", context_of("acme/passing")).status == 200);
    }
    auto r = http(serve.port(), "POST", "/context", context_of("acme/passing"));
    CHECK(r.status == 429);
    CHECK(r.json().at("error") == "Too many requests");
    const auto retry = std::stoi(r.header("retry-after").empty() ? "0" : r.header("retry-after"));
    CHECK(retry > 0);
    CHECK(retry <= 600);
    CHECK(http(serve.port(), "GET", "/config").status == 429);
    CHECK(http(serve.port(), "GET", "/health").status == 200);
    CHECK(http(serve.port(), "GET", "/metrics").status == 200);
}

TEST_CASE("a slow client gets 408 and is closed while others are served, 50 clients at once are all answered") {
    Upstream up;
    Serve serve(plugin_args(up, {"--read-timeout-ms", "1000"}), up.env);
    INFO("stderr: " << serve.stderr_text());

    const int slow = connect_to(serve.port());
    send_all(slow, "POST /context HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Len");  // half a header, then nothing
    const int slow_body = connect_to(serve.port());
    send_all(slow_body, "POST /context HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"type\":");  // half a body
    const int idle = connect_to(serve.port());  // connects and says nothing
    const auto started = std::chrono::steady_clock::now();

    // Meanwhile the server answers others.
    CHECK(http(serve.port(), "GET", "/health").status == 200);
    CHECK(http(serve.port(), "POST", "/context", context_of("acme/passing")).status == 200);

    const auto slow_answer = parse_response(read_all(slow, 30s));
    const auto slow_body_answer = parse_response(read_all(slow_body, 30s));
    const auto idle_answer = read_all(idle, 30s);
    const auto took = std::chrono::steady_clock::now() - started;
    ::close(slow);
    ::close(slow_body);
    ::close(idle);
    CHECK(slow_answer.status == 408);
    CHECK(slow_body_answer.status == 408);
    CHECK(idle_answer.empty());  // silence is closed quietly
    CHECK(took >= 900ms);
    CHECK(took < 20s);

    // 50 clients at once, all answered (one set of upstream requests thanks to the caches).
    constexpr int kClients = 50;
    std::vector<int> statuses(kClients, 0);
    std::vector<std::thread> threads;
    for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
            try {
                statuses[static_cast<std::size_t>(i)] =
                    http(serve.port(), "POST", "/context", context_of(i % 2 ? "acme/passing" : "acme/failing")).status;
            } catch (const std::exception&) {
                statuses[static_cast<std::size_t>(i)] = -1;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (int i = 0; i < kClients; ++i) {
        CAPTURE(i);
        CHECK(statuses[static_cast<std::size_t>(i)] == 200);
    }
    CHECK(http(serve.port(), "GET", "/health").status == 200);
}

TEST_CASE("each plugin's deadline: an upstream that never answers becomes an error card at about the deadline") {
    Upstream up;
    Serve serve(plugin_args(up, {"--timeout-ms", "800"}), up.env);
    INFO("stderr: " << serve.stderr_text());
    up.server.set_fault({tjc::testing::FaultKind::stall});
    const auto started = std::chrono::steady_clock::now();
    auto r = http(serve.port(), "POST", "/context", context_of("acme/failing"));
    const auto took = std::chrono::steady_clock::now() - started;
    REQUIRE(r.status == 200);
    INFO(r.body);
    const auto v = r.json();
    CHECK(took >= 700ms);
    CHECK(took < 5s);  // the deadline is 0.8 s; generous for a loaded machine
    bool important = false;
    for (const auto& c : v.at("data").as_array()) {
        if (const auto* s = c.as_object().if_contains("status")) {
            important = important || *s == "important";
        }
    }
    CHECK(important);
    if (v.at("failedCount") == 1) {
        CHECK(contents(v).at(0).starts_with("circleci: "));
    }
    up.server.clear_faults();
    CHECK(http(serve.port(), "GET", "/health").status == 200);
}

TEST_CASE("several plugins: merged by manifest priority, a failing plugin is one error card") {
    Upstream up;
    Serve serve({"--plugin", FIXTURE_STATIC_CARDS, "--plugin", TJC_PLUGIN_PATH, "--plugin", FIXTURE_ALWAYS_FAILS,
                 "--config", up.config},
                up.env);
    INFO("stderr: " << serve.stderr_text());
    auto r = http(serve.port(), "POST", "/context", context_of("acme/passing"));
    REQUIRE(r.status == 200);
    INFO(r.body);
    const auto v = r.json();
    const auto cards = contents(v);
    REQUIRE(cards.size() >= 4);
    CHECK(cards[0] == "Static A");  // priority 200
    CHECK(cards[1] == "Static B");
    CHECK(cards[2] == "always-fails: the fixture always fails");  // priority 150
    CHECK(v.at("data").at(2).at("status") == "important");
    CHECK(v.at("data").at(2).at("type") == "text");
    CHECK(cards[3].starts_with("CircleCI main: passed"));  // priority 100
    CHECK(v.at("failedCount") == 1);
    CHECK(v.at("cacheHits") == 0);
    CHECK(v.at("count") == cards.size());
    CHECK(v.at("integrationNames") == json::array{"static-cards", "always-fails", "circleci"});
    const auto m = http(serve.port(), "GET", "/metrics").body;
    CHECK(contains(m, "tj_host_integration_queries_total{integration=\"always-fails\",outcome=\"failed\"} 1\n"));
    // Only the plugin with the stats api (ABI 1.1) has tj_plugin_* series; the fixtures are 1.0.
    CHECK(contains(m, "tj_plugin_queries_total{integration=\"circleci\"} 1\n"));
    CHECK_FALSE(contains(m, "tj_plugin_queries_total{integration=\"static-cards\""));
    CHECK_FALSE(contains(m, "integration=\"always-fails\",result="));
    CHECK_FALSE(contains(m, "tj_plugin_upstream_requests_total{integration=\"always-fails\""));
    CHECK(http(serve.port(), "GET", "/health").json().at("integrations") ==
          json::array{"static-cards", "circleci", "always-fails"});
}

TEST_CASE("SIGTERM: the request in flight is answered, then the process exits 0") {
    Upstream up;
    Serve serve(plugin_args(up), up.env);
    INFO("stderr: " << serve.stderr_text());
    up.server.set_fault({tjc::testing::FaultKind::latency, "", -1, 400ms});
    Response in_flight;
    std::thread client([&] { in_flight = http(serve.port(), "POST", "/context", context_of("acme/passing")); });
    // Wait until the query has reached CircleCI: the request is in flight.
    const auto limit = std::chrono::steady_clock::now() + 30s;
    while (up.server.requests() == 0 && std::chrono::steady_clock::now() < limit) {
        std::this_thread::sleep_for(10ms);
    }
    REQUIRE(up.server.requests() > 0);
    serve.signal(SIGTERM);
    client.join();
    CHECK(in_flight.status == 200);
    CHECK(any_starts_with(contents(in_flight.json()), "CircleCI main: passed"));
    CHECK(serve.wait_exit(30s) == 0);
    CHECK(contains(serve.stderr_text(), "draining"));
}

TEST_CASE("SIGHUP reloads the configs: a bad one keeps the running config and says where") {
    Upstream up;
    const auto config = write_file("reload.yaml", read_file(up.config));
    Serve serve({"--plugin", TJC_PLUGIN_PATH, "--config", config}, up.env);
    INFO("stderr: " << serve.stderr_text());
    REQUIRE(http(serve.port(), "POST", "/context", context_of("acme/passing")).status == 200);
    std::ofstream(config, std::ios::trunc) << "circleci:\n  api_url: [unclosed\n";
    serve.signal(SIGHUP);
    const auto limit = std::chrono::steady_clock::now() + 30s;
    while (!contains(serve.stderr_text(), "SIGHUP") && std::chrono::steady_clock::now() < limit) {
        std::this_thread::sleep_for(20ms);
    }
    const auto err = serve.stderr_text();
    CHECK(contains(err, "reload kept the running config"));
    CHECK(contains(err, config + ":"));
    // Still serving with the old config; the host cache was emptied.
    auto v = http(serve.port(), "POST", "/context", context_of("acme/passing")).json();
    CHECK(v.at("cacheHits") == 0);
    CHECK(any_starts_with(contents(v), "CircleCI main: passed"));
    std::remove(config.c_str());
}

TEST_CASE("GET /preview: a self-contained HTML page of the cards") {
    Upstream up;
    Serve serve(plugin_args(up), up.env);
    INFO("stderr: " << serve.stderr_text());
    auto r = http(serve.port(), "GET", "/preview?repo=acme/passing&branch=main");
    INFO(r.body.substr(0, 2000));
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "text/html; charset=utf-8");
    CHECK(contains(r.header("content-security-policy"), "default-src 'none'"));
    CHECK(contains(r.body, "acme/passing"));
    CHECK(contains(r.body, "CircleCI main: passed"));
    auto form = http(serve.port(), "GET", "/preview");
    CHECK(form.status == 200);
    CHECK(contains(form.body, "<form"));
    CHECK(http(serve.port(), "GET", "/preview?repo=not%20a%20repo%20at%20all%3A%3A").status == 200);
}

TEST_CASE("TLS listener: a TLS client trusting the CA gets answers") {
    Upstream up;
    const auto certs = tjc::testing::make_test_certs();
    const auto cert = write_file("cert.pem", certs.server.cert_pem);
    const auto key = write_file("key.pem", certs.server.key_pem);
    const auto ca = write_file("ca.pem", certs.ca_cert_pem);
    {
        Serve serve(plugin_args(up, {"--tls-cert", cert, "--tls-key", key}), up.env);
        INFO("stderr: " << serve.stderr_text());
        CHECK(serve.url().starts_with("https://127.0.0.1:"));
        auto health = https(serve.port(), ca, "GET", "/health");
        CHECK(health.status == 200);
        auto r = https(serve.port(), ca, "POST", "/context", context_of("acme/passing"));
        REQUIRE(r.status == 200);
        CHECK(any_starts_with(contents(r.json()), "CircleCI main: passed"));
        // Plain HTTP on the TLS port is not answered as HTTP.
        CHECK(http(serve.port(), "GET", "/health").status == 0);
    }
    for (const auto& f : {cert, key, ca}) {
        std::remove(f.c_str());
    }
}

TEST_CASE(
    "the host enforces --timeout-ms itself: a plugin that never completes is answered at the deadline plus grace") {
    Serve serve({"--plugin", FIXTURE_NEVER_COMPLETES, "--plugin", FIXTURE_STATIC_CARDS, "--timeout-ms", "400"});
    INFO("stderr: " << serve.stderr_text());
    const auto started = std::chrono::steady_clock::now();
    auto r = http(serve.port(), "POST", "/context", context_of("acme/passing"));
    const auto took = std::chrono::steady_clock::now() - started;
    REQUIRE(r.status == 200);
    INFO(r.body);
    const auto v = r.json();
    // 400 ms given to the plugin, 250 ms of grace, then the host answers without it.
    CHECK(took >= 640ms);
    CHECK(took < 3s);
    CHECK(v.at("failedCount") == 1);
    const auto cards = contents(v);
    REQUIRE(cards.size() == 3);
    CHECK(cards[0] == "Static A");  // the other plugin's answer is not held back
    CHECK(cards[2] == "never-completes: timed out after 400 ms");
    CHECK(v.at("data").at(2).at("status") == "important");
    const auto m = http(serve.port(), "GET", "/metrics").body;
    CHECK(contains(m, "tj_host_integration_queries_total{integration=\"never-completes\",outcome=\"timeout\"} 1\n"));
    CHECK(contains(m, "tj_host_integration_queries_total{integration=\"static-cards\",outcome=\"ok\"} 1\n"));
}

TEST_CASE(
    "CORS as ToolJump: an AWS console page and a custom-domain dashboard may post, /config and /custom-domains for "
    "anyone") {
    // any-page matches every context type ("*"): the aws adapter is on.
    Serve serve({"--plugin", FIXTURE_ANY_PAGE, "--custom-domain", "Grafana.Acme.io"});
    INFO("stderr: " << serve.stderr_text());
    const std::string aws_origin = "https://eu-west-1.console.aws.amazon.com";
    const std::string dashboard = "https://grafana.acme.io";
    auto r = http(serve.port(), "POST", "/context",
                  R"({"type":"aws","url":"https://eu-west-1.console.aws.amazon.com/lambda/home"})",
                  {{"Origin", aws_origin}});
    REQUIRE(r.status == 200);
    CHECK(r.header("access-control-allow-origin") == aws_origin);
    CHECK(contents(r.json()) == std::vector<std::string>{"Static A", "Static B"});
    r = http(serve.port(), "POST", "/context", R"({"type":"generic","url":"https://grafana.acme.io/d/x/checkout"})",
             {{"Origin", dashboard}});
    REQUIRE(r.status == 200);
    CHECK(r.header("access-control-allow-origin") == dashboard);
    r = http(serve.port(), "POST", "/context", R"({"type":"generic","url":"https://evil.example/"})",
             {{"Origin", "https://evil.example"}});
    CHECK(r.status == 200);
    CHECK(r.header("access-control-allow-origin").empty());
    // Chrome's Private Network Access preflight from the console page: granted.
    r = http(serve.port(), "OPTIONS", "/context", "",
             {{"Origin", aws_origin},
              {"Access-Control-Request-Method", "POST"},
              {"Access-Control-Request-Private-Network", "true"}});
    CHECK(r.status == 204);
    CHECK(r.header("access-control-allow-private-network") == "true");
    r = http(serve.port(), "OPTIONS", "/context", "",
             {{"Origin", "https://evil.example"}, {"Access-Control-Request-Private-Network", "true"}});
    CHECK(r.status == 403);
    CHECK(r.header("access-control-allow-private-network").empty());

    // The custom domains, for the extension's popup: any origin may read them.
    auto config = http(serve.port(), "GET", "/config", "", {{"Origin", "https://evil.example"}});
    CHECK(config.header("access-control-allow-origin") == "https://evil.example");
    CHECK(config.json().at("customDomains") == json::array{"grafana.acme.io"});
    std::map<std::string, bool> enabled;
    const auto config_json = config.json();
    for (const auto& a : config_json.at("adapters").as_array()) {
        enabled[std::string(a.at("name").as_string())] = a.at("enabled").as_bool();
    }
    CHECK(enabled == std::map<std::string, bool>{{"aws", true}, {"generic", true}, {"github", true}});
    auto domains = http(serve.port(), "GET", "/custom-domains", "", {{"Origin", "https://anything.example"}});
    REQUIRE(domains.status == 200);
    CHECK(domains.header("access-control-allow-origin") == "https://anything.example");
    CHECK(domains.json().at("hosts") == json::array{"grafana.acme.io"});
    CHECK(domains.json().at("count") == 1);
    CHECK(domains.json().at("timestamp").is_string());
    CHECK(http(serve.port(), "OPTIONS", "/custom-domains", "", {{"Origin", "https://anything.example"}}).status == 204);
}

TEST_CASE("a background refresh drops the host's copy: the refreshing note is gone on the next request") {
    Upstream up;
    // The plugin's cards are fresh for 1 s; the host keeps an answer 60 s (the manifest's cache).
    const auto config = write_file("short-ttl.yaml", read_file(up.config) + "cache:\n  ttl_s: 1\n");
    Serve serve({"--plugin", TJC_PLUGIN_PATH, "--config", config}, up.env);
    INFO("stderr: " << serve.stderr_text());
    // Two pages of one repo: two host cache keys (the url is a cacheKey path), one plugin entry.
    auto page = [](const std::string& query) {
        return json::serialize(json::object{{"type", "github"},
                                            {"url", "https://github.com/acme/passing" + query},
                                            {"page", {{"repository", "acme/passing"}}}});
    };
    auto has_note = [](const json::value& v) { return any_starts_with(contents(v), "CircleCI: refreshing"); };
    REQUIRE_FALSE(has_note(http(serve.port(), "POST", "/context", page("?tab=1")).json()));
    std::this_thread::sleep_for(1300ms);  // the plugin's entry is stale now
    const auto with_note = http(serve.port(), "POST", "/context", page("?tab=2")).json();
    REQUIRE(has_note(with_note));  // served stale at once, refreshed behind; the host kept this answer
    bool gone = false;
    json::value last;
    for (int i = 0; i < 100 && !gone; ++i) {
        last = http(serve.port(), "POST", "/context", page("?tab=2")).json();
        gone = !has_note(last);
        if (!gone) {
            std::this_thread::sleep_for(30ms);
        }
    }
    INFO(json::serialize(last));
    CHECK(gone);  // without the invalidation the note stayed for the host's 60 s
    CHECK(last.at("cacheHits") == 0);
    CHECK(any_starts_with(contents(last), "CircleCI main: passed"));
    const auto m = http(serve.port(), "GET", "/metrics").body;
    const std::string purged = "tj_host_result_cache_purged_total{integration=\"circleci\"} ";
    REQUIRE(contains(m, purged));
    CHECK(std::stod(m.substr(m.find(purged) + purged.size())) >= 2);  // both pages' answers went
    std::remove(config.c_str());
}

TEST_CASE(
    "webhooks on one replica: off without a secret, 401 unsigned, an event refetches at once, a replay is ignored") {
    Upstream up;
    {
        Serve off(plugin_args(up), up.env);
        CHECK(http(off.port(), "POST", "/webhooks/circleci", "{}").status == 404);
    }
    auto env = up.env;
    const std::string secret = "local-secret";
    const auto secret_file = write_file("webhook-secret", secret + "\n");
    env["INTEGRATION_CIRCLECI_WEBHOOK_SECRET_FILE"] = secret_file;  // read through the SecretStore
    Serve serve(plugin_args(up), env);
    INFO("stderr: " << serve.stderr_text());
    const auto ctx = context_of("acme/passing");
    REQUIRE(http(serve.port(), "POST", "/context", ctx).status == 200);
    const auto before = up.server.requests();
    const std::string body = R"({"id":"single-1","type":"workflow-completed","project":{"slug":"github/acme/passing"},)"
                             R"("pipeline":{"vcs":{"branch":"main"}},"workflow":{"status":"success"}})";
    unsigned char mac[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
        char two[3];
        std::snprintf(two, sizeof two, "%02x", mac[i]);
        hex += two;
    }
    CHECK(http(serve.port(), "POST", "/webhooks/circleci", body).status == 401);
    CHECK(http(serve.port(), "GET", "/webhooks/circleci").status == 405);
    CHECK(up.server.requests() == before);
    auto r = http(serve.port(), "POST", "/webhooks/circleci", body, {{"circleci-signature", "v1=" + hex}});
    REQUIRE(r.status == 200);
    CHECK(r.json().at("status") == "accepted");
    CHECK(r.json().at("integrations") == 1);
    // The host's answer and the plugin's cards of that project are gone: asked again upstream.
    // (The plugin tells the host on its callback thread, just after the 200: a bounded wait.)
    json::value v;
    for (int i = 0; i < 100; ++i) {
        v = http(serve.port(), "POST", "/context", ctx).json();
        if (v.at("cacheHits") == 0) {
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    CHECK(v.at("cacheHits") == 0);
    CHECK(up.server.requests() > before);
    CHECK(any_starts_with(contents(v), "CircleCI main: passed"));
    r = http(serve.port(), "POST", "/webhooks/circleci", body, {{"circleci-signature", "v1=" + hex}});
    CHECK(r.status == 200);
    CHECK(r.json().at("status") == "duplicate");
    std::this_thread::sleep_for(200ms);  // a purge the replay caused would have landed by now
    CHECK(http(serve.port(), "POST", "/context", ctx).json().at("cacheHits") == 1);  // the replay dropped nothing
    std::remove(secret_file.c_str());
}
