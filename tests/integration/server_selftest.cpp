// The CircleCI test server tested on its own: a small Beast/SSL client (verify_peer against
// the generated CA, SNI, host-name verification) checks routes, auth, pagination and every fault.
#include "api_router.hpp"
#include "test_server.hpp"
#include "time_shift.hpp"

#include <doctest/doctest.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;
using tjc::testing::FaultKind;
using tjc::testing::FaultSpec;
using tjc::testing::TestServer;
using tjc::testing::TestServerOptions;

namespace {

const std::string kWorld = std::string(TJC_FIXTURES_DIR) + "/mini.json";
const std::string kPassing = "gh%2Facme%2Fpassing";
const std::string kCircleSlug = "circleci/4f1c2b7e-6d1a-4c55-9b0e-2a6f3c9d8e01/9b2e7c14-3f5a-4d6b-8c1e-0a7d5f3b2c90";

json::object load_world_file() {
    std::ifstream in(kWorld);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str()).as_object();
}

const json::object& world_project(const json::object& world, const std::string& slug) {
    return world.at("projects").at(slug).as_object();
}

TestServerOptions options(std::size_t page_size = 20) {
    TestServerOptions o;
    o.world_path = kWorld;
    o.page_size = page_size;
    return o;
}

struct Reply {
    error_code ec;
    bool header_done = false;
    http::response<http::string_body> res;
    int status() const { return static_cast<int>(res.result_int()); }
    json::value body_json() const { return json::parse(res.body()); }
    std::string header(std::string_view name) const {
        auto it = res.find(beast::string_view(name.data(), name.size()));
        return it == res.end() ? std::string() : std::string(it->value());
    }
};

// One TLS connection; every operation runs the private io_context until it completes
// (tcp_stream deadlines turn a hang into beast::error::timeout).
class Client {
public:
    explicit Client(const std::string& ca_file) {
        ctx_.load_verify_file(ca_file);
        ctx_.set_verify_mode(ssl::verify_peer);
    }

    // `name` is what we verify (and send as SNI unless it is an IP address).
    error_code connect(std::uint16_t port, const std::string& name = "127.0.0.1",
                       std::chrono::milliseconds timeout = 3000ms) {
        stream_.emplace(ioc_, ctx_);
        buffer_.clear();
        error_code ec;
        asio::ip::make_address(name, ec);
        if (ec) {
            SSL_set_tlsext_host_name(stream_->native_handle(), name.c_str());
        }
        stream_->set_verify_callback(ssl::host_name_verification(name));
        port_ = port;
        beast::get_lowest_layer(*stream_).expires_after(timeout);
        tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
        ec = run([&](auto h) { beast::get_lowest_layer(*stream_).async_connect(ep, h); });
        if (ec) {
            return ec;
        }
        return run([&](auto h) { stream_->async_handshake(ssl::stream_base::client, h); });
    }

    Reply get(const std::string& target, std::optional<std::string> token = "test-token",
              std::chrono::milliseconds timeout = 3000ms) {
        Reply reply;
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
        req.set(http::field::accept, "application/json");
        if (token) {
            req.set("Circle-Token", *token);
        }
        beast::get_lowest_layer(*stream_).expires_after(timeout);
        reply.ec = run([&](auto h) { http::async_write(*stream_, req, h); });
        if (reply.ec) {
            return reply;
        }
        http::response_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        reply.ec = run([&](auto h) { http::async_read(*stream_, buffer_, parser, h); });
        reply.header_done = parser.is_header_done();
        if (parser.is_header_done()) {
            reply.res = parser.release();
        }
        return reply;
    }

private:
    template <class Start>
    error_code run(Start start) {
        error_code result;
        start([&](error_code ec, auto&&...) { result = ec; });
        ioc_.restart();
        ioc_.run();
        return result;
    }

    asio::io_context ioc_;
    ssl::context ctx_{ssl::context::tls_client};
    std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
    beast::flat_buffer buffer_;
    std::uint16_t port_ = 0;
};

// A fresh connection and one GET: the common case.
Reply fetch(const TestServer& server, const std::string& path, std::optional<std::string> token = "test-token",
            std::chrono::milliseconds timeout = 3000ms) {
    Client c(server.ca_file());
    Reply r;
    r.ec = c.connect(server.port());
    if (r.ec) {
        return r;
    }
    return c.get("/api/v2" + path, std::move(token), timeout);
}

}  // namespace

TEST_CASE("timestamps shift to UTC and keep their fraction while other strings are left alone") {
    using tjc::testing::shift_rfc3339;
    CHECK(shift_rfc3339("2026-01-01T12:00:00Z", 90min) == "2026-01-01T13:30:00Z");
    CHECK(shift_rfc3339("2026-01-01T23:59:59.517Z", 2s) == "2026-01-02T00:00:01.517Z");
    CHECK(shift_rfc3339("2026-01-01T12:00:00+02:00", 0s) == "2026-01-01T10:00:00Z");
    CHECK(shift_rfc3339("2024-02-28T12:00:00Z", 24h) == "2024-02-29T12:00:00Z");
    CHECK_FALSE(shift_rfc3339("main", 1s));
    CHECK_FALSE(shift_rfc3339("2026-01-01", 1s));
    CHECK_FALSE(shift_rfc3339("2026-13-01T12:00:00Z", 1s));
}

TEST_CASE("request paths are seen both raw and decoded") {
    auto p = tjc::testing::target_paths("/api/v2/project/gh%2Facme%2Fpassing/pipeline?branch=main");
    CHECK(p.raw == "/api/v2/project/gh%2Facme%2Fpassing/pipeline");
    CHECK(p.decoded == "/api/v2/project/gh/acme/passing/pipeline");
}

TEST_CASE("serves every route from the world with escaped and raw slugs") {
    TestServer server(options());
    const auto world = load_world_file();
    const auto& passing = world_project(world, "gh/acme/passing");
    CHECK(server.base_url() == "https://127.0.0.1:" + std::to_string(server.port()) + "/api/v2");

    SUBCASE("/me") {
        auto r = fetch(server, "/me");
        REQUIRE_FALSE(r.ec);
        CHECK(r.status() == 200);
        CHECK(r.header("Content-Type") == "application/json");
        CHECK(r.body_json() == world.at("me"));
    }
    SUBCASE("project by slug, in every spelling") {
        for (std::string slug : {kPassing, std::string("gh/acme/passing"), std::string("github%2Facme%2Fpassing")}) {
            auto r = fetch(server, "/project/" + slug);
            REQUIRE_FALSE(r.ec);
            CHECK(r.status() == 200);
            CHECK(r.body_json() == passing.at("project"));
        }
        auto escaped = fetch(
            server, "/project/circleci%2F4f1c2b7e-6d1a-4c55-9b0e-2a6f3c9d8e01%2F9b2e7c14-3f5a-4d6b-8c1e-0a7d5f3b2c90");
        auto raw = fetch(server, "/project/" + kCircleSlug);
        CHECK(escaped.status() == 200);
        CHECK(raw.res.body() == escaped.res.body());
        CHECK(raw.body_json().at("vcs_info").at("provider") == "CircleCI");
    }
    SUBCASE("pipelines, filtered by branch; by number; by id; its workflows and their jobs") {
        auto all = fetch(server, "/project/" + kPassing + "/pipeline");
        CHECK(all.body_json().at("items") == passing.at("pipelines"));
        CHECK(all.body_json().at("next_page_token").is_null());

        auto main = fetch(server, "/project/" + kPassing + "/pipeline?branch=main").body_json().at("items").as_array();
        std::size_t expected = 0;
        for (const auto& p : passing.at("pipelines").as_array()) {
            expected += p.at("vcs").at("branch") == "main" ? 1 : 0;
        }
        CHECK(main.size() == expected);
        CHECK(expected > 0);
        for (const auto& p : main) {
            CHECK(p.at("vcs").at("branch") == "main");
        }

        const auto& newest = passing.at("pipelines").as_array().at(0).as_object();
        std::string id(newest.at("id").as_string());
        auto by_number =
            fetch(server, "/project/gh/acme/passing/pipeline/" + std::to_string(newest.at("number").as_int64()));
        CHECK(by_number.body_json() == newest);
        CHECK(fetch(server, "/project/gh/acme/passing/pipeline/999999").status() == 404);
        CHECK(fetch(server, "/pipeline/" + id).body_json() == newest);

        auto workflows = fetch(server, "/pipeline/" + id + "/workflow").body_json();
        CHECK(workflows.at("items") == passing.at("workflows").at(id));
        const auto& wf = passing.at("workflows").at(id).as_array().at(0).as_object();
        std::string wf_id(wf.at("id").as_string());
        CHECK(fetch(server, "/workflow/" + wf_id).body_json() == wf);
        auto jobs = fetch(server, "/workflow/" + wf_id + "/job").body_json();
        CHECK(jobs.at("items") == passing.at("jobs").at(wf_id));
        CHECK(jobs.at("next_page_token").is_null());
        CHECK(fetch(server, "/workflow/00000000-0000-0000-0000-000000000000").status() == 404);
        CHECK(fetch(server, "/pipeline/00000000-0000-0000-0000-000000000000/workflow").status() == 404);
    }
    SUBCASE("insights: metrics (default branch), runs, summaries; 422 on a bad reporting-window") {
        auto metrics = fetch(server, "/insights/" + kPassing + "/workflows?reporting-window=last-30-days");
        CHECK(metrics.status() == 200);
        CHECK(metrics.body_json().at("items") == passing.at("insights_workflows").at("main"));
        CHECK(fetch(server, "/insights/" + kPassing + "/workflows?branch=nope")
                  .body_json()
                  .at("items")
                  .as_array()
                  .empty());
        auto bad = fetch(server, "/insights/" + kPassing + "/workflows?reporting-window=last-year");
        CHECK(bad.status() == 422);
        CHECK(bad.body_json().at("message").is_string());

        auto runs = fetch(server, "/insights/" + kPassing + "/workflows/build-and-test?branch=feature%2Flogin");
        auto run_items = runs.body_json().at("items").as_array();
        CHECK_FALSE(run_items.empty());
        for (const auto& r : run_items) {
            CHECK(r.at("branch") == "feature/login");
        }
        auto default_runs =
            fetch(server, "/insights/gh/acme/passing/workflows/build-and-test").body_json().at("items").as_array();
        for (const auto& r : default_runs) {
            CHECK(r.at("branch") == "main");
        }
        CHECK(default_runs.size() + run_items.size() ==
              passing.at("insights_runs").at("build-and-test").as_array().size());

        auto summary = fetch(server, "/insights/" + kPassing + "/workflows/build-and-test/summary");
        CHECK(summary.body_json() == passing.at("insights_summary").at("build-and-test"));
        auto pages = fetch(server, "/insights/pages/" + kPassing + "/summary?reporting-window=last-7-days");
        CHECK(pages.body_json() == passing.at("insights_pages_summary"));
    }
}

TEST_CASE("serves the shared scenario world.json: every project and pipeline and workflow and job") {
    const std::string path = std::string(TJC_FIXTURES_DIR) + "/world.json";
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot read " << path);
    std::stringstream text;
    text << in.rdbuf();
    const auto world = json::parse(text.str()).as_object();
    auto o = options(3);  // small pages so long lists are paginated
    o.world_path = path;
    TestServer server(o);
    Client c(server.ca_file());
    REQUIRE_FALSE(c.connect(server.port()));
    // Every page of a list, joined.
    auto all_pages = [&](const std::string& path_and_query) {
        json::array items;
        std::string token;
        for (int guard = 0; guard < 100; ++guard) {
            std::string sep = path_and_query.find('?') == std::string::npos ? "?" : "&";
            auto r = c.get("/api/v2" + path_and_query + (token.empty() ? "" : sep + "page-token=" + token));
            REQUIRE(r.status() == 200);
            auto body = r.body_json().as_object();
            for (auto& v : body.at("items").as_array()) {
                items.push_back(v);
            }
            if (body.at("next_page_token").is_null()) {
                break;
            }
            token = std::string(body.at("next_page_token").as_string());
        }
        return items;
    };
    std::size_t checked_workflows = 0;
    for (const auto& [slug, value] : world.at("projects").as_object()) {
        const std::string slug_text(slug);  // clang 14 captures no structured binding
        CAPTURE(slug_text);
        const auto& project = value.as_object();
        std::string escaped;
        for (char ch : std::string(slug)) {
            escaped += ch == '/' ? std::string("%2F") : std::string(1, ch);
        }
        CHECK(c.get("/api/v2/project/" + escaped).body_json() == project.at("project"));
        CHECK(all_pages("/project/" + escaped + "/pipeline") == project.at("pipelines"));
        for (const auto& pipeline : project.at("pipelines").as_array()) {
            std::string id(pipeline.at("id").as_string());
            const auto* wfs = project.at("workflows").as_object().if_contains(id);
            CHECK(all_pages("/pipeline/" + id + "/workflow") == (wfs ? *wfs : json::value(json::array())));
            if (!wfs) {
                continue;
            }
            for (const auto& wf : wfs->as_array()) {
                std::string wf_id(wf.at("id").as_string());
                CHECK(c.get("/api/v2/workflow/" + wf_id).body_json() == wf);
                const auto* jobs = project.at("jobs").as_object().if_contains(wf_id);
                CHECK(c.get("/api/v2/workflow/" + wf_id + "/job").body_json().at("items") ==
                      (jobs ? *jobs : json::value(json::array())));
                ++checked_workflows;
            }
        }
    }
    CHECK(checked_workflows > 0);
}

TEST_CASE("401 without or with a wrong Circle-Token and 404 for an unknown project or route") {
    TestServer server(options());
    for (auto token : {std::optional<std::string>(), std::optional<std::string>("wrong")}) {
        auto r = fetch(server, "/me", token);
        REQUIRE_FALSE(r.ec);
        CHECK(r.status() == 401);
        CHECK(r.body_json().at("message") == "You must log in first.");
    }
    auto unknown = fetch(server, "/project/gh%2Facme%2Fnope/pipeline");
    CHECK(unknown.status() == 404);
    CHECK(unknown.body_json().at("message") == "Project not found");
    CHECK(fetch(server, "/insights/gh/acme/nope/workflows").status() == 404);
    CHECK(fetch(server, "/nothing/here").status() == 404);
}

TEST_CASE("pagination follows next_page_token to the end") {
    TestServer server(options(1));
    const auto world = load_world_file();
    Client c(server.ca_file());
    REQUIRE_FALSE(c.connect(server.port()));
    json::array collected;
    std::string token;
    int pages = 0;
    for (;; ++pages) {
        auto r = c.get("/api/v2/project/" + kPassing + "/pipeline" + (token.empty() ? "" : "?page-token=" + token));
        REQUIRE_FALSE(r.ec);
        REQUIRE(r.status() == 200);
        auto body = r.body_json().as_object();
        CHECK(body.at("items").as_array().size() == 1);
        for (auto& item : body.at("items").as_array()) {
            collected.push_back(item);
        }
        if (body.at("next_page_token").is_null()) {
            break;
        }
        token = std::string(body.at("next_page_token").as_string());
        REQUIRE(pages < 10);
    }
    CHECK(collected == world_project(world, "gh/acme/passing").at("pipelines"));
    CHECK(pages + 1 == static_cast<int>(collected.size()));
    CHECK(c.get("/api/v2/project/" + kPassing + "/pipeline?page-token=garbage").status() == 400);
}

TEST_CASE("shift_times makes fixture ages live") {
    auto o = options();
    o.shift_times = true;
    TestServer server(o);
    const auto world = load_world_file();
    auto base = tjc::testing::parse_rfc3339(world.at("time_base").as_string());
    auto original = tjc::testing::parse_rfc3339(
        world_project(world, "gh/acme/passing").at("pipelines").at(0).at("created_at").as_string());
    auto served = fetch(server, "/project/" + kPassing + "/pipeline").body_json();
    auto shifted = tjc::testing::parse_rfc3339(served.at("items").at(0).at("created_at").as_string());
    REQUIRE(base);
    REQUIRE(original);
    REQUIRE(shifted);
    auto age_in_fixture = *base - *original;
    auto age_now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - *shifted;
    CHECK(std::chrono::abs(age_now - age_in_fixture) <= 5s);
}

TEST_CASE("keep-alive gives one TLS handshake for many requests and counters work per path prefix") {
    TestServer server(options());
    Client c(server.ca_file());
    REQUIRE_FALSE(c.connect(server.port(), "localhost"));  // SNI + the DNS SAN
    for (int i = 0; i < 5; ++i) {
        CHECK(c.get("/api/v2/me").status() == 200);
    }
    CHECK(c.get("/api/v2/project/" + kPassing).status() == 200);
    CHECK(server.connections() == 1);
    CHECK(server.handshakes() == 1);
    CHECK(server.requests() == 6);
    CHECK(server.requests("/api/v2/me") == 5);
    CHECK(server.requests("/api/v2/project/gh/acme/passing") == 1);  // decoded
    CHECK(server.requests("/api/v2/project/gh%2Facme") == 1);        // raw
    server.reset_counters();
    CHECK(server.requests() == 0);
    CHECK(server.handshakes() == 0);
}

TEST_CASE("HTTP faults - status codes and Retry-After and bodies and counts and path prefixes") {
    TestServer server(options());
    SUBCASE("500/502/503 for `count` requests, then normal again") {
        for (int status : {500, 502, 503}) {
            server.set_fault({.kind = FaultKind::http_status, .count = 1, .status = status});
            auto r = fetch(server, "/me");
            CHECK(r.status() == status);
            CHECK(r.body_json().at("message").is_string());
            CHECK(fetch(server, "/me").status() == 200);
        }
    }
    SUBCASE("429 with Retry-After and RateLimit-Reset") {
        server.set_fault({.kind = FaultKind::rate_limit, .retry_after_s = 7});
        auto r = fetch(server, "/me");
        CHECK(r.status() == 429);
        CHECK(r.header("Retry-After") == "7");
        CHECK(r.header("RateLimit-Reset") == "7");
        CHECK(fetch(server, "/me").status() == 429);  // until cleared
        server.clear_faults();
        CHECK(fetch(server, "/me").status() == 200);
    }
    SUBCASE("401 and 404 on demand, only under the path prefix") {
        server.set_fault({.kind = FaultKind::unauthorized, .path_prefix = "/api/v2/me"});
        server.set_fault({.kind = FaultKind::not_found, .path_prefix = "/api/v2/project/gh/acme/passing"});
        CHECK(fetch(server, "/me").status() == 401);
        CHECK(fetch(server, "/project/" + kPassing).status() == 404);
        CHECK(fetch(server, "/project/gh/acme/failing").status() == 200);
    }
    SUBCASE("invalid JSON and an oversized (but valid) JSON body") {
        server.set_fault({.kind = FaultKind::invalid_json, .count = 1});
        auto bad = fetch(server, "/me");
        CHECK(bad.status() == 200);
        CHECK(bad.header("Content-Type") == "application/json");
        error_code ec;
        json::parse(bad.res.body(), ec);
        CHECK(ec);
        server.set_fault({.kind = FaultKind::oversized_body, .count = 1});
        auto big = fetch(server, "/me");
        CHECK(big.status() == 200);
        CHECK(big.res.body().size() == 5u << 20);
        CHECK(big.header("Content-Length") == std::to_string(5u << 20));
        CHECK(big.body_json().at("items").as_array().empty());
    }
    SUBCASE("redirect to another host, and an HTML error page") {
        server.set_fault({.kind = FaultKind::redirect, .count = 1, .location = "https://127.0.0.2:1/api/v2/me"});
        auto r = fetch(server, "/me");
        CHECK(r.status() == 302);
        CHECK(r.header("Location") == "https://127.0.0.2:1/api/v2/me");
        server.set_fault({.kind = FaultKind::html_error_page, .count = 1});
        auto html = fetch(server, "/me");
        CHECK(html.status() == 502);
        CHECK(html.header("Content-Type") == "text/html");
        CHECK(html.res.body().find("502 Bad Gateway") != std::string::npos);
    }
    SUBCASE("latency delays the answer") {
        server.set_fault({.kind = FaultKind::latency, .count = 1, .delay = 300ms});
        auto start = std::chrono::steady_clock::now();
        CHECK(fetch(server, "/me").status() == 200);
        CHECK(std::chrono::steady_clock::now() - start >= 300ms);
    }
    SUBCASE("faulted requests are counted too") {
        server.set_fault({.kind = FaultKind::http_status, .count = 2, .status = 503});
        fetch(server, "/me");
        fetch(server, "/me");
        CHECK(fetch(server, "/me").status() == 200);
        CHECK(server.requests("/api/v2/me") == 3);
    }
}

TEST_CASE("network faults - reset mid-body and stall and slow drip") {
    TestServer server(options());
    SUBCASE("reset mid-body: headers arrive, then the connection is reset") {
        server.set_fault({.kind = FaultKind::reset_mid_body, .path_prefix = "/api/v2/project", .count = 1});
        auto r = fetch(server, "/project/" + kPassing + "/pipeline");
        CHECK(r.ec);
        CHECK(r.header_done);
        CHECK(r.status() == 200);
        CHECK(fetch(server, "/project/" + kPassing + "/pipeline").status() == 200);
    }
    SUBCASE("stall: the request is read, no answer comes before the client's deadline") {
        server.set_fault({.kind = FaultKind::stall, .count = 1});
        auto start = std::chrono::steady_clock::now();
        auto r = fetch(server, "/me", "test-token", 400ms);
        CHECK(r.ec == beast::error::timeout);
        CHECK_FALSE(r.header_done);
        CHECK(std::chrono::steady_clock::now() - start >= 400ms);
        CHECK(server.requests("/api/v2/me") == 1);
        CHECK(fetch(server, "/me").status() == 200);
    }
    SUBCASE("slow drip: the whole answer arrives, slowly") {
        server.set_fault({.kind = FaultKind::slow_drip, .count = 1, .delay = 5ms});
        auto start = std::chrono::steady_clock::now();
        auto r = fetch(server, "/me");
        auto took = std::chrono::steady_clock::now() - start;
        REQUIRE_FALSE(r.ec);
        CHECK(r.status() == 200);
        CHECK(r.body_json().at("login") == "tester");
        // 16 bytes per write: at least (bytes / 16) gaps of 5 ms.
        CHECK(took >= std::chrono::milliseconds(5 * (r.res.body().size() / 16)));
        auto fast = fetch(server, "/me", "test-token", 100ms);
        CHECK_FALSE(fast.ec);
    }
}

TEST_CASE("connection refused until cleared and open connections are dropped") {
    TestServer server(options());
    Client pooled(server.ca_file());
    REQUIRE_FALSE(pooled.connect(server.port()));
    CHECK(pooled.get("/api/v2/me").status() == 200);
    server.set_fault({.kind = FaultKind::refuse_connections});
    Client fresh(server.ca_file());
    CHECK(fresh.connect(server.port()) == asio::error::connection_refused);
    CHECK(pooled.get("/api/v2/me").ec);
    server.clear_faults();
    CHECK(fetch(server, "/me").status() == 200);
}

TEST_CASE("a certificate for the wrong host fails verification") {
    TestServer server(options());
    server.set_fault({.kind = FaultKind::wrong_host_cert, .count = 1});
    Client c(server.ca_file());
    auto ec = c.connect(server.port());
    CHECK(ec);
    CHECK(ec.category() == asio::error::get_ssl_category());
    CHECK(server.handshakes() == 0);
    CHECK(fetch(server, "/me").status() == 200);  // count 1: the next connection is fine

    server.set_fault({.kind = FaultKind::wrong_host_cert, .count = 1});
    Client named(server.ca_file());
    CHECK_FALSE(named.connect(server.port(), "wrong.example"));  // same CA: only the name is wrong
}

TEST_CASE("stop() joins and frees the port and is idempotent while servers run side by side") {
    auto o = options();
    auto server = std::make_unique<TestServer>(o);
    TestServer other(o);
    CHECK(server->port() != other.port());
    auto port = server->port();
    CHECK(fetch(*server, "/me").status() == 200);
    server->stop();
    server->stop();
    Client c(other.ca_file());
    CHECK(c.connect(port) == asio::error::connection_refused);
    server.reset();
    CHECK(fetch(other, "/me").status() == 200);
}

TEST_CASE("circleci-test-server prints its address on one JSON line and stops cleanly on SIGTERM") {
    int out[2];
    REQUIRE(pipe(out) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execl(TJC_TEST_SERVER_EXE, TJC_TEST_SERVER_EXE, "--world", kWorld.c_str(), "--port", "0", "--token", "demo",
              "--latency-ms", "1", static_cast<char*>(nullptr));
        _exit(127);
    }
    close(out[1]);
    FILE* lines = fdopen(out[0], "r");
    REQUIRE(lines);
    char* line = nullptr;
    std::size_t cap = 0;
    ssize_t got = getline(&line, &cap, lines);
    std::string ready = got > 0 ? std::string(line, static_cast<std::size_t>(got)) : std::string();
    std::free(line);
    fclose(lines);

    REQUIRE_FALSE(ready.empty());
    auto info = json::parse(ready).as_object();
    auto port = static_cast<std::uint16_t>(info.at("port").as_int64());
    CHECK(std::string(info.at("base_url").as_string()) == "https://127.0.0.1:" + std::to_string(port) + "/api/v2");
    Client c(std::string(info.at("ca_file").as_string()));
    REQUIRE_FALSE(c.connect(port));
    CHECK(c.get("/api/v2/me", "demo").status() == 200);
    CHECK(c.get("/api/v2/me", "test-token").status() == 401);

    kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
