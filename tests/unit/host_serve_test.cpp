// `tj-host serve`'s parts above the socket, without one: the server token check, CORS, the
// rate limit (clock moved by hand), the Prometheus registry, ToolJump's merge, the host's
// result cache (tags, purges, single flight), the /context body check, the command line, the
// deadline timer, webhook signatures and deliveries, custom domains.
#include <doctest/doctest.h>

#include "bearer.hpp"
#include "cli.hpp"
#include "context_request.hpp"
#include "cors.hpp"
#include "custom_domains.hpp"
#include "deadline_timer.hpp"
#include "host_cache.hpp"
#include "merge.hpp"
#include "metrics.hpp"
#include "plugin_stats.hpp"
#include "rate_limiter.hpp"
#include "recent_ids.hpp"
#include "serve_app.hpp"
#include "serve_options.hpp"
#include "webhook.hpp"
#include "webhook_signature.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace json = boost::json;

TEST_CASE("bearer: the configured token passes, anything else does not") {
    tjhost::BearerCheck off("");
    CHECK_FALSE(off.enabled());
    CHECK(off.allows(""));
    CHECK(off.allows("Bearer whatever"));

    tjhost::BearerCheck check("s3cret-token");
    CHECK(check.enabled());
    CHECK(check.allows("Bearer s3cret-token"));
    CHECK(check.allows("bearer s3cret-token"));  // the scheme is case-insensitive
    CHECK(check.allows("Bearer   s3cret-token  "));
    CHECK_FALSE(check.allows(""));
    CHECK_FALSE(check.allows("Bearer"));
    CHECK_FALSE(check.allows("Bearer "));
    CHECK_FALSE(check.allows("Bearer s3cret-toke"));
    CHECK_FALSE(check.allows("Bearer s3cret-token2"));
    CHECK_FALSE(check.allows("Bearer S3CRET-TOKEN"));  // the token is not
    CHECK_FALSE(check.allows("Basic s3cret-token"));
    CHECK_FALSE(check.allows("Bearers3cret-token"));
    CHECK_FALSE(check.allows("s3cret-token"));
}

TEST_CASE("cors: allowed origins are echoed, extension schemes by wildcard, others get nothing") {
    tjhost::CorsPolicy cors(tjhost::CorsPolicy::default_origins(true, false));
    CHECK(cors.allows("https://github.com"));
    CHECK(cors.allows("chrome-extension://abcdefghijklmnop"));
    CHECK(cors.allows("moz-extension://1234-5678"));
    CHECK_FALSE(cors.allows("https://evil.example"));
    CHECK_FALSE(cors.allows("https://github.com.evil.example"));
    CHECK_FALSE(cors.allows("http://github.com"));
    CHECK_FALSE(cors.allows("chrome-extension://"));
    CHECK_FALSE(cors.allows("chrome-extension://id/path"));
    CHECK_FALSE(cors.allows("null"));
    CHECK_FALSE(cors.allows(""));

    const auto ok = cors.preflight_headers("https://github.com");
    auto has = [](const auto& headers, const std::string& k, const std::string& v) {
        for (const auto& [hk, hv] : headers) {
            if (hk == k && hv == v) {
                return true;
            }
        }
        return false;
    };
    CHECK(has(ok, "Access-Control-Allow-Origin", "https://github.com"));
    CHECK(has(ok, "Vary", "Origin"));
    CHECK(has(ok, "Access-Control-Allow-Headers", "Authorization, Content-Type"));
    CHECK(has(ok, "Access-Control-Allow-Methods", "GET, POST, OPTIONS"));
    CHECK(cors.preflight_headers("https://evil.example").empty());
    const auto denied = cors.response_headers("https://evil.example");
    CHECK(denied.size() == 1);  // Vary only
    CHECK(
        has(cors.response_headers("chrome-extension://abc"), "Access-Control-Allow-Origin", "chrome-extension://abc"));

    tjhost::CorsPolicy only({"https://intranet.example"});
    CHECK(only.allows("https://intranet.example"));
    CHECK_FALSE(only.allows("https://github.com"));
}

TEST_CASE("rate limiter: N per window per client, Retry-After until the window ends") {
    auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    tjhost::RateLimiter limiter(3, std::chrono::seconds(60), [&] { return now; });
    CHECK(limiter.check("a").remaining == 2);
    CHECK(limiter.check("a").allowed);
    CHECK(limiter.check("a").allowed);
    auto refused = limiter.check("a");
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after_s == 60);
    CHECK(limiter.check("b").allowed);  // per client
    now += std::chrono::seconds(45);
    refused = limiter.check("a");
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after_s == 15);
    now += std::chrono::seconds(15);
    CHECK(limiter.check("a").allowed);  // a new window
    // Old windows are forgotten: the map holds recent clients only.
    now += std::chrono::seconds(120);
    CHECK(limiter.check("c").allowed);
    CHECK(limiter.clients() == 1);

    tjhost::RateLimiter off(0, std::chrono::seconds(1));
    for (int i = 0; i < 1000; ++i) {
        REQUIRE(off.check("a").allowed);
    }
}

TEST_CASE("metrics: exposition format 0.0.4 with HELP, TYPE, escaped labels and cumulative buckets") {
    tjhost::Metrics m;
    m.counter("tj_requests_total", "Requests.\nSecond line \\ here.");
    m.histogram("tj_duration_seconds", "Durations.", {0.1, 1});
    m.add("tj_requests_total", {{"endpoint", "context"}, {"code", "200"}});
    m.add("tj_requests_total", {{"endpoint", "context"}, {"code", "200"}}, 2);
    m.add("tj_requests_total", {{"endpoint", "we\"ird\\\n"}, {"code", "404"}});
    m.observe("tj_duration_seconds", {{"endpoint", "context"}}, 0.05);
    m.observe("tj_duration_seconds", {{"endpoint", "context"}}, 0.5);
    m.observe("tj_duration_seconds", {{"endpoint", "context"}}, 5);
    const auto text = m.render();
    INFO(text);
    CHECK(text.find("# HELP tj_requests_total Requests.\\nSecond line \\\\ here.\n") != std::string::npos);
    CHECK(text.find("# TYPE tj_requests_total counter\n") != std::string::npos);
    CHECK(text.find("tj_requests_total{endpoint=\"context\",code=\"200\"} 3\n") != std::string::npos);
    CHECK(text.find("tj_requests_total{endpoint=\"we\\\"ird\\\\\\n\",code=\"404\"} 1\n") != std::string::npos);
    CHECK(text.find("# TYPE tj_duration_seconds histogram\n") != std::string::npos);
    CHECK(text.find("tj_duration_seconds_bucket{endpoint=\"context\",le=\"0.1\"} 1\n") != std::string::npos);
    CHECK(text.find("tj_duration_seconds_bucket{endpoint=\"context\",le=\"1\"} 2\n") != std::string::npos);
    CHECK(text.find("tj_duration_seconds_bucket{endpoint=\"context\",le=\"+Inf\"} 3\n") != std::string::npos);
    CHECK(text.find("tj_duration_seconds_sum{endpoint=\"context\"} 5.55\n") != std::string::npos);
    CHECK(text.find("tj_duration_seconds_count{endpoint=\"context\"} 3\n") != std::string::npos);
    CHECK(m.value("tj_requests_total", {{"endpoint", "context"}, {"code", "200"}}) == 3);
    CHECK(m.value("tj_duration_seconds", {{"endpoint", "context"}}) == 3);
    CHECK_THROWS_AS(m.add("undeclared", {}), std::logic_error);
    CHECK(tjhost::format_metric_number(0.25) == "0.25");
    CHECK(tjhost::format_metric_number(12) == "12");
}

TEST_CASE("plugin stats: the stats api's JSON as tj_plugin_* series, odd values are skipped") {
    tjhost::Metrics m;
    tjhost::declare_plugin_stats(m);
    const auto stats =
        json::parse(R"({"queries":7,"cache":{"hits":3,"misses":4,"stale":0},)"
                    R"("upstream":{"requests":{"200":12,"404":1,"503":"x"},"transport_errors":2},"later":{}})");
    tjhost::record_plugin_stats(m, "ci\"x", stats);
    const auto text = m.render();
    INFO(text);
    CHECK(text.find("tj_plugin_queries_total{integration=\"ci\\\"x\"} 7\n") != std::string::npos);
    CHECK(m.value("tj_plugin_cache_total", {{"integration", "ci\"x"}, {"result", "hit"}}) == 3);
    CHECK(m.value("tj_plugin_cache_total", {{"integration", "ci\"x"}, {"result", "miss"}}) == 4);
    CHECK(text.find("result=\"stale\"} 0\n") != std::string::npos);
    CHECK(m.value("tj_plugin_upstream_requests_total", {{"integration", "ci\"x"}, {"status", "200"}}) == 12);
    CHECK(m.value("tj_plugin_upstream_requests_total", {{"integration", "ci\"x"}, {"status", "404"}}) == 1);
    CHECK(text.find("status=\"503\"") == std::string::npos);
    CHECK(m.value("tj_plugin_upstream_transport_errors_total", {{"integration", "ci\"x"}}) == 2);
    // Values are the plugin's totals: a later read replaces them.
    tjhost::record_plugin_stats(m, "ci\"x", json::parse(R"({"queries":9})"));
    CHECK(m.value("tj_plugin_queries_total", {{"integration", "ci\"x"}}) == 9);
    tjhost::record_plugin_stats(m, "other", json::parse("[1,2]"));  // not an object: nothing
    CHECK(m.render().find("integration=\"other\"") == std::string::npos);
}

TEST_CASE("merge: by priority (ties in load order), failures as one important card, counts") {
    using K = tjhost::IntegrationOutcome::Kind;
    std::vector<tjhost::IntegrationOutcome> in(4);
    in[0] = {"circleci", 100, 0, K::ok, json::array{json::object{{"type", "text"}, {"content", "c1"}}}, ""};
    in[1] = {"static-cards",
             200,
             1,
             K::cached,
             json::array{json::object{{"type", "text"}, {"content", "s1"}},
                         json::object{{"type", "text"}, {"content", "s2"}}},
             ""};
    in[2] = {"always-fails", 150, 2, K::failed, {}, "boom"};
    in[3] = {"late-one", 100, 3, K::timeout, {}, "timed out after 5000 ms"};
    const auto out = tjhost::merge_outcomes(in, "2026-11-28T12:00:00.000Z");
    const auto& data = out.at("data").as_array();
    REQUIRE(data.size() == 5);
    CHECK(data[0].at("content") == "s1");
    CHECK(data[1].at("content") == "s2");
    CHECK(data[2] ==
          json::value(json::object{{"type", "text"}, {"content", "always-fails: boom"}, {"status", "important"}}));
    CHECK(data[3].at("content") == "c1");
    CHECK(data[4].at("content") == "late-one: timed out after 5000 ms");
    CHECK(out.at("count") == 5);
    CHECK(out.at("cacheHits") == 1);
    CHECK(out.at("failedCount") == 2);
    CHECK(out.at("timestamp") == "2026-11-28T12:00:00.000Z");
    CHECK(out.at("integrationNames") == json::array{"static-cards", "always-fails", "circleci", "late-one"});

    const auto empty = tjhost::merge_outcomes({}, "t");
    CHECK(empty.at("data").as_array().empty());
    CHECK(empty.at("count") == 0);
    CHECK(empty.at("integrationNames").as_array().empty());

    CHECK(tjhost::iso8601_utc(std::chrono::system_clock::time_point{} + std::chrono::milliseconds(1764331200123)) ==
          "2025-11-28T12:00:00.123Z");
}

TEST_CASE("host cache: keyed by the cacheKey paths, expires after the TTL, never keeps a zero TTL") {
    auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    tjhost::HostResultCache cache(3, [&] { return now; });
    const std::vector<std::string> paths{"page.repository", "page.section.hash"};
    const auto main_ctx =
        json::parse(R"({"type":"github","url":"u","page":{"repository":"acme/a","section":{"hash":"main"}}})");
    const auto dev_ctx =
        json::parse(R"({"type":"github","url":"u","page":{"repository":"acme/a","section":{"hash":"dev"}}})");
    const auto other_url =
        json::parse(R"({"type":"github","url":"v","page":{"repository":"acme/a","section":{"hash":"main"}}})");
    const auto k_main = tjhost::cache_key("circleci", paths, main_ctx);
    CHECK(k_main != tjhost::cache_key("circleci", paths, dev_ctx));    // the branch is in the key
    CHECK(k_main == tjhost::cache_key("circleci", paths, other_url));  // the url is not a key path here
    CHECK(k_main != tjhost::cache_key("other", paths, main_ctx));      // per integration
    const json::array cards{json::object{{"type", "text"}, {"content", "x"}}};
    CHECK_FALSE(cache.get(k_main));
    cache.put(k_main, cards, std::chrono::seconds(60));
    REQUIRE(cache.get(k_main));
    CHECK(*cache.get(k_main) == cards);
    now += std::chrono::seconds(59);
    CHECK(cache.get(k_main));
    now += std::chrono::seconds(1);
    CHECK_FALSE(cache.get(k_main));
    cache.put("zero", cards, std::chrono::seconds(0));
    CHECK_FALSE(cache.get("zero"));
    for (int i = 0; i < 10; ++i) {
        cache.put("k" + std::to_string(i), cards, std::chrono::seconds(60));
    }
    CHECK(cache.size() <= 3);  // bounded
    cache.clear();
    CHECK(cache.size() == 0);
}

TEST_CASE("context body: JSON object with string type and url, else the details") {
    CHECK(tjhost::check_context_body(R"({"type":"github","url":"https://github.com/a/b"})").ok());
    auto r = tjhost::check_context_body("{not json");
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].path == "");
    CHECK(r.problems[0].message.find("Malformed JSON: ") == 0);
    r = tjhost::check_context_body("[1,2]");
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].message == "Expected object, received array");
    r = tjhost::check_context_body(R"({"url":5})");
    REQUIRE(r.problems.size() == 2);
    CHECK(r.problems[0].path == "type");
    CHECK(r.problems[0].message == "Required");
    CHECK(r.problems[1].path == "url");
    CHECK(r.problems[1].message == "Expected string, received number");
    std::string deep;
    for (int i = 0; i < 40; ++i) {
        deep += "[";
    }
    CHECK_FALSE(tjhost::check_context_body(deep).ok());
    const auto body = tjhost::invalid_body_response(r.problems);
    CHECK(body.at("error") == "Invalid request body");
    CHECK(body.at("details").as_array()[0] == json::value(json::object{{"path", "type"}, {"message", "Required"}}));
}

namespace {

// tj-host's own parser (cli.cpp) on a serve command line: the options, or what went to stderr.
struct ServeParse {
    std::optional<tjhost::ServeOptions> options;
    int exit_code = 0;
    std::string err;
};
ServeParse parse_serve(std::vector<std::string> args) {
    args.insert(args.begin(), {"tj-host", "serve"});
    std::vector<const char*> argv;
    for (const auto& a : args) {
        argv.push_back(a.c_str());
    }
    std::ostringstream out, err;
    auto parsed = tjhost::cli::parse(static_cast<int>(argv.size()), argv.data(), out, err);
    ServeParse r;
    r.exit_code = parsed.exit_code;
    r.err = err.str();
    if (parsed.command) {
        r.options = parsed.command->serve;
    }
    return r;
}

}  // namespace

TEST_CASE("serve command line: flags, defaults and mistakes") {
    auto p = parse_serve({"--plugin", "a.so", "--plugin", "b.so", "--listen", "127.0.0.1:0"});
    REQUIRE(p.options);
    auto o = *p.options;
    CHECK(o.plugins == std::vector<std::string>{"a.so", "b.so"});
    CHECK(o.host == "127.0.0.1");
    CHECK(o.port == 0);
    CHECK(o.timeout == std::chrono::milliseconds(5000));
    CHECK(o.rate_limit == 200);
    CHECK(o.rate_window == std::chrono::seconds(900));
    CHECK(o.config_for(1) == "");
    p = parse_serve({"--plugin", "a.so", "--plugin", "b.so", "--config", "x.yaml", "--listen=[::1]:8080",
                     "--rate-limit", "5/60", "--timeout-ms", "300", "--cors-origin", "https://x.example"});
    REQUIRE(p.options);
    o = *p.options;
    CHECK(o.host == "::1");
    CHECK(o.port == 8080);
    CHECK(o.config_for(0) == "x.yaml");
    CHECK(o.config_for(1) == "x.yaml");
    CHECK(o.rate_limit == 5);
    CHECK(o.rate_window == std::chrono::seconds(60));
    CHECK(o.timeout == std::chrono::milliseconds(300));
    CHECK(o.cors_origins == std::vector<std::string>{"https://x.example"});
    p = parse_serve(
        {"--plugin", "a.so", "--plugin", "b.so", "--config", "1.yaml", "--config", "2.yaml", "--listen", "0.0.0.0:1"});
    REQUIRE(p.options);
    CHECK(p.options->config_for(1) == "2.yaml");

    // A mistake: exit 2, no options, the message naming the flag, then the usage, on stderr.
    auto error = [](std::vector<std::string> args) {
        const auto r = parse_serve(std::move(args));
        CHECK(r.exit_code == 2);
        CHECK_FALSE(r.options);
        CHECK(r.err.find("--listen HOST:PORT") != std::string::npos);  // serve's usage follows
        return r.err;
    };
    CHECK(error({"--listen", "127.0.0.1:0"}).find("--plugin") != std::string::npos);
    CHECK(error({"--plugin", "a.so"}).find("--listen") != std::string::npos);
    CHECK(error({"--plugin", "a.so", "--listen", "127.0.0.1:99999"}).find("--listen") != std::string::npos);
    CHECK(error({"--plugin", "a.so", "--listen", "8080"}).find("HOST:PORT") != std::string::npos);
    CHECK(error({"--plugin", "a.so", "--listen", "h:1", "--rate-limit", "5"}).find("N/SECONDS") != std::string::npos);
    CHECK(error({"--plugin", "a.so", "--listen", "h:1", "--timeout-ms", "0"}).find("--timeout-ms") !=
          std::string::npos);
    CHECK(error({"--plugin", "a.so", "--listen", "h:1", "--tls-cert", "c.pem"}).find("--tls-key") != std::string::npos);
    CHECK(
        error({"--plugin", "a", "--plugin", "b", "--plugin", "c", "--config", "1", "--config", "2", "--listen", "h:1"})
            .find("--config") != std::string::npos);
    CHECK(error({"--plugin", "a.so", "--listen", "h:1", "--bogus", "1"}).find("--bogus") != std::string::npos);

    // The replicas' flags.
    p = parse_serve({"--plugin", "a.so", "--listen", "h:1", "--redis", "redis://127.0.0.1:6400/2", "--redis-timeout-ms",
                     "40", "--custom-domain", "Grafana.Acme.io", "--custom-domain", "status.acme.io:8443"});
    REQUIRE(p.options);
    CHECK(p.options->redis == "redis://127.0.0.1:6400/2");
    CHECK(p.options->redis_timeout == std::chrono::milliseconds(40));
    CHECK(p.options->custom_domains == std::vector<std::string>{"grafana.acme.io", "status.acme.io:8443"});
    CHECK(error({"--plugin", "a.so", "--listen", "h:1", "--redis", "http://x:1"}).find("redis://") !=
          std::string::npos);
    CHECK(
        error({"--plugin", "a.so", "--listen", "h:1", "--redis", "redis://u:pw@x:1"}).find("TOOLJUMP_REDIS_PASSWORD") !=
        std::string::npos);
    CHECK(error({"--plugin", "a.so", "--listen", "h:1", "--custom-domain", "https://x.io/"}).find("custom domain") !=
          std::string::npos);
}

TEST_CASE("endpoint labels are bounded: unknown paths are 'other'") {
    CHECK(tjhost::endpoint_of("/context") == "context");
    CHECK(tjhost::endpoint_of("/metrics") == "metrics");
    CHECK(tjhost::endpoint_of("/etc/passwd") == "other");
}

TEST_CASE("deadline timer: runs at the deadline, in order, and not when cancelled") {
    tjhost::DeadlineTimer timer;
    std::mutex m;
    std::condition_variable cv;
    std::vector<int> ran;
    const auto now = std::chrono::steady_clock::now();
    auto note = [&](int v) {
        return [&, v] {
            std::lock_guard lock(m);
            ran.push_back(v);
            cv.notify_all();
        };
    };
    timer.at(now + std::chrono::milliseconds(60), note(2));
    timer.at(now + std::chrono::milliseconds(20), note(1));
    const auto dropped = timer.at(now + std::chrono::milliseconds(40), note(99));
    timer.cancel(dropped);
    timer.cancel(12345);  // unknown: a no-op
    std::unique_lock lock(m);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return ran.size() == 2; }));
    CHECK(ran == std::vector<int>{1, 2});
    CHECK(std::chrono::steady_clock::now() - now >= std::chrono::milliseconds(60));
}

namespace {

bool has_header(const tjhost::HeaderList& headers, const std::string& k, const std::string& v) {
    for (const auto& [hk, hv] : headers) {
        if (hk == k && hv == v) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("cors: the aws adapter's console origins, custom domains, Private Network Access, public endpoints") {
    tjhost::CorsPolicy github_only(tjhost::CorsPolicy::default_origins(true, false));
    CHECK_FALSE(github_only.allows("https://eu-west-1.console.aws.amazon.com"));
    tjhost::CorsPolicy cors(tjhost::CorsPolicy::default_origins(true, true));
    CHECK(cors.allows("https://console.aws.com"));
    CHECK(cors.allows("https://eu-west-1.console.aws.amazon.com"));
    CHECK(cors.allows("https://us-east-1.console.aws.amazon.com"));
    CHECK_FALSE(cors.allows("https://console.aws.amazon.com.evil.example"));
    CHECK_FALSE(cors.allows("https://evilconsole.aws.amazon.com"));  // not a subdomain
    CHECK_FALSE(cors.allows("http://eu-west-1.console.aws.amazon.com"));
    CHECK_FALSE(cors.allows("https://a.console.aws.amazon.com/x"));
    CHECK_FALSE(cors.allows("https://grafana.acme.io"));
    cors.set_custom_domains({"grafana.acme.io"});
    CHECK(cors.allows("https://grafana.acme.io"));
    CHECK_FALSE(cors.allows("http://grafana.acme.io"));
    CHECK_FALSE(cors.allows("https://x.grafana.acme.io"));

    // Private Network Access: granted to an allowed origin that asks, never unasked or to others.
    CHECK(
        has_header(cors.preflight_headers("https://github.com", true), "Access-Control-Allow-Private-Network", "true"));
    CHECK_FALSE(has_header(cors.preflight_headers("https://github.com", false), "Access-Control-Allow-Private-Network",
                           "true"));
    CHECK(cors.preflight_headers("https://evil.example", true).empty());

    // /config and /custom-domains: any origin.
    CHECK(has_header(tjhost::CorsPolicy::public_headers("https://evil.example"), "Access-Control-Allow-Origin",
                     "https://evil.example"));
    CHECK(has_header(tjhost::CorsPolicy::public_preflight_headers("https://evil.example", true),
                     "Access-Control-Allow-Private-Network", "true"));
    CHECK(tjhost::CorsPolicy::public_preflight_headers("", false).empty());
}

TEST_CASE("custom domains: hosts only, lower-cased, and a plugin's description list read when present") {
    CHECK(tjhost::normalize_custom_domain("Grafana.Acme.IO") == "grafana.acme.io");
    CHECK(tjhost::normalize_custom_domain("status.acme.io:8443") == "status.acme.io:8443");
    for (const char* bad :
         {"https://grafana.acme.io", "grafana.acme.io/d", "", "a b", ".acme.io", "x:", "x:1234567", "*.acme.io"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(tjhost::normalize_custom_domain(bad), std::invalid_argument);
    }
    CHECK(tjhost::custom_domains_of(json::parse(R"({"name":"x"})")).empty());
    CHECK(tjhost::custom_domains_of(json::parse(R"({"customDomains":["B.io","a.io",3,"not a host"]})")) ==
          std::vector<std::string>{"b.io", "a.io"});
    CHECK(tjhost::merge_custom_domains({"b.io", "a.io"}, {"a.io", "c.io"}) ==
          std::vector<std::string>{"a.io", "b.io", "c.io"});
}

TEST_CASE("webhook signature: CircleCI's test vectors, v1 only, constant-time compare of the whole value") {
    // docs/circleci-api.md (CircleCI's webhook reference).
    const struct {
        const char* body;
        const char* secret;
        const char* hex;
    } vectors[] = {
        {"hello world", "secret", "734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a"},
        {"lalala", "another-secret", "daa220016c8f29a8b214fbfc3671aeec2145cfb1e6790184ffb38b6d0425fa00"},
        {"an-important-request-payload", "hunter123",
         "9be2242094a9a8c00c64306f382a7f9d691de910b4a266f67bd314ef18ac49fa"},
        {"foo", "secret", "773ba44693c7553d6ee20f61ea5d2757a9a4f4a44d2841ae4e95b52e4cd62db4"},
    };
    for (const auto& v : vectors) {
        CAPTURE(v.body);
        CHECK(tjhost::hmac_sha256_hex(v.secret, v.body) == v.hex);
        CHECK(tjhost::verify_circleci_signature(std::string("v1=") + v.hex, v.body, v.secret));
        CHECK(tjhost::verify_circleci_signature(std::string("v2=abc, v1=") + v.hex + ",v3=x", v.body, v.secret));
        CHECK_FALSE(tjhost::verify_circleci_signature(std::string("v1=") + v.hex, std::string(v.body) + " ", v.secret));
        CHECK_FALSE(tjhost::verify_circleci_signature(std::string("v1=") + v.hex, v.body, "wrong"));
        CHECK_FALSE(tjhost::verify_circleci_signature(std::string("v2=") + v.hex, v.body, v.secret));  // v1 only
        CHECK_FALSE(
            tjhost::verify_circleci_signature(std::string("v1=") + std::string(v.hex).substr(0, 63), v.body, v.secret));
        CHECK_FALSE(tjhost::verify_circleci_signature(std::string(v.hex), v.body, v.secret));
    }
    CHECK_FALSE(tjhost::verify_circleci_signature("", "foo", "secret"));
    CHECK_FALSE(tjhost::verify_circleci_signature("v1=773ba44693c7553d6ee20f61ea5d2757a9a4f4a44d2841ae4e95b52e4cd62db4",
                                                  "foo", ""));
    // Upper-case hex is not what CircleCI sends: refused.
    CHECK_FALSE(tjhost::verify_circleci_signature("v1=773BA44693C7553D6EE20F61EA5D2757A9A4F4A44D2841AE4E95B52E4CD62DB4",
                                                  "foo", "secret"));
}

TEST_CASE("webhook delivery: the plugins' event JSON, id and type required, repeated ids remembered, bounded") {
    const auto e = tjhost::read_circleci_delivery(
        R"({"id":"e-1","type":"workflow-completed","project":{"slug":"github/a/b"}})", "");
    REQUIRE(e.ok());
    CHECK(e.id == "e-1");
    const auto v = json::parse(e.event_json);
    CHECK(v.at("source") == "circleci");
    CHECK(v.at("type") == "workflow-completed");
    CHECK(v.at("id") == "e-1");
    CHECK(v.at("payload").at("project").at("slug") == "github/a/b");
    CHECK(tjhost::event_id_of(e.event_json) == "e-1");
    CHECK(tjhost::read_circleci_delivery(R"({"id":"e-2"})", "job-completed").type == "job-completed");
    CHECK_FALSE(tjhost::read_circleci_delivery(R"({"type":"x"})", "").ok());
    CHECK_FALSE(tjhost::read_circleci_delivery(R"({"id":"e-3"})", "").ok());
    CHECK_FALSE(tjhost::read_circleci_delivery("[1]", "x").ok());
    CHECK_FALSE(tjhost::read_circleci_delivery("{", "x").ok());

    tjhost::RecentIds ids(3);
    CHECK(ids.insert("a"));
    CHECK_FALSE(ids.insert("a"));
    CHECK(ids.insert("b"));
    CHECK(ids.insert("c"));
    CHECK(ids.insert("d"));  // "a" is forgotten: the bound
    CHECK_FALSE(ids.contains("a"));
    CHECK(ids.contains("d"));
}

TEST_CASE("host cache: tagged entries are purged by tag, an answer computed before a purge is not stored") {
    auto now = std::chrono::steady_clock::now();
    tjhost::HostResultCache cache(100, [&] { return now; });
    const json::array cards{json::object{{"type", "text"}, {"content", "x"}}};
    const auto tag_a = tjhost::scoped_tag("circleci", "GH/Acme/A");
    CHECK(tag_a == "circleci\ngh/acme/a");
    const auto tag_b = tjhost::scoped_tag("circleci", "gh/acme/b");
    cache.put("k1", cards, std::chrono::seconds(60), {tag_a}, cache.epoch());
    cache.put("k2", cards, std::chrono::seconds(60), {tag_a, tag_b}, cache.epoch());
    cache.put("k3", cards, std::chrono::seconds(60), {tag_b}, cache.epoch());
    cache.put("k4", cards, std::chrono::seconds(60), {tjhost::scoped_tag("other", "gh/acme/a")}, cache.epoch());
    CHECK(cache.purge(tag_a) == 2);
    CHECK_FALSE(cache.get("k1"));
    CHECK_FALSE(cache.get("k2"));
    CHECK(cache.get("k3"));
    CHECK(cache.get("k4"));  // another integration's tag
    CHECK(cache.purge(tag_a) == 0);

    // The race: asked before the purge, answered after it: not kept.
    const auto before = cache.epoch();
    cache.purge(tag_b);
    cache.put("k5", cards, std::chrono::seconds(60), {tag_b}, before);
    CHECK_FALSE(cache.get("k5"));
    cache.put("k5", cards, std::chrono::seconds(60), {tag_b}, cache.epoch());
    CHECK(cache.get("k5"));
    // clear() (SIGHUP) likewise refuses answers begun before it.
    const auto before_clear = cache.epoch();
    cache.clear();
    cache.put("k6", cards, std::chrono::seconds(60), {}, before_clear);
    CHECK_FALSE(cache.get("k6"));
    // An expired entry leaves its tag: purging later finds nothing to drop.
    cache.put("k7", cards, std::chrono::seconds(1), {tag_a}, cache.epoch());
    now += std::chrono::seconds(2);
    CHECK_FALSE(cache.get("k7"));
    CHECK(cache.purge(tag_a) == 0);
}

TEST_CASE("host cache: single flight, waiters get the leader's results or nothing when it failed") {
    tjhost::HostResultCache cache;
    std::vector<std::optional<json::array>> got;
    auto waiter = [&](const std::optional<json::array>& r) { got.push_back(r); };
    CHECK(cache.join("k", waiter));  // leads
    CHECK_FALSE(cache.join("k", waiter));
    CHECK_FALSE(cache.join("k", waiter));
    CHECK(cache.join("other", waiter));
    auto waiters = cache.finish("k");
    CHECK(waiters.size() == 2);
    for (auto& w : waiters) {
        w(json::array{1});
    }
    CHECK(got.size() == 2);
    CHECK(*got[0] == json::array{1});
    CHECK(cache.join("k", waiter));  // a new flight
    CHECK(cache.finish("k").empty());
    CHECK(cache.finish("never").empty());
}

TEST_CASE("plugin stats: per-secret upstream requests and 401s, when the plugin states them") {
    tjhost::Metrics m;
    tjhost::declare_plugin_stats(m);
    tjhost::record_plugin_stats(m, "circleci", json::parse(R"({"queries":1,
        "secrets":{"CIRCLECI_TOKEN":{"requests":12,"unauthorized":3},"TEAM_A_TOKEN":{"requests":4},"BAD":7}})"));
    CHECK(m.value("tj_plugin_upstream_requests_by_secret_total",
                  {{"integration", "circleci"}, {"secret", "CIRCLECI_TOKEN"}}) == 12);
    CHECK(m.value("tj_plugin_upstream_unauthorized_total",
                  {{"integration", "circleci"}, {"secret", "CIRCLECI_TOKEN"}}) == 3);
    CHECK(m.value("tj_plugin_upstream_requests_by_secret_total",
                  {{"integration", "circleci"}, {"secret", "TEAM_A_TOKEN"}}) == 4);
    const auto text = m.render();
    CHECK(text.find(
              "tj_plugin_upstream_requests_by_secret_total{integration=\"circleci\",secret=\"CIRCLECI_TOKEN\"} 12\n") !=
          std::string::npos);
    CHECK(text.find("tj_plugin_upstream_unauthorized_total{integration=\"circleci\",secret=\"CIRCLECI_TOKEN\"} 3\n") !=
          std::string::npos);
    CHECK(text.find("secret=\"TEAM_A_TOKEN\"} 4") != std::string::npos);
    CHECK(text.find("secret=\"BAD\"") == std::string::npos);
    // Absent: no such series.
    tjhost::Metrics none;
    tjhost::declare_plugin_stats(none);
    tjhost::record_plugin_stats(none, "circleci", json::parse(R"({"queries":1})"));
    CHECK(none.render().find("secret=") == std::string::npos);
}
