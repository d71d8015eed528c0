// net::HttpClient and circleci::Client against the real TLS test server on loopback: the
// happy paths, every fault, pooling, cancellation, throttling and redirects.
// Deadlines are generous and assertions are about outcomes and counts, not tight timings.
#include "circleci/client.hpp"
#include "net/http_client.hpp"
#include "net/https_connection.hpp"
#include "test_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <istream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace std::chrono_literals;
using tjc::circleci::ApiErrorKind;
using tjc::net::Clock;
using tjc::testing::FaultKind;
using tjc::testing::FaultSpec;

namespace {

constexpr const char* kToken = "test-token";

// The test server's token, as the plan hands it to the client.
tjc::circleci::Credential cred(std::string token = kToken) { return {"CIRCLECI_TOKEN", std::move(token)}; }

struct Fixture {
    tjc::testing::TestServer server{make_server_options()};
    asio::io_context io{1};
    tjc::net::HttpClient http{io.get_executor(), make_client_options(server)};
    tjc::circleci::Client api = make_api(http, server);

    static tjc::testing::TestServerOptions make_server_options() {
        tjc::testing::TestServerOptions o;
        o.world_path = std::string(TJC_FIXTURES_DIR) + "/world.json";
        o.page_size = 3;  // so that the fixture's lists span pages
        return o;
    }
    static tjc::net::HttpClientOptions make_client_options(const tjc::testing::TestServer& s) {
        tjc::net::HttpClientOptions o;
        o.ca_file = s.ca_file();
        o.max_connections_per_host = 4;  // the pool bound the tests below count against
        o.use_system_trust = false;
        o.connect_timeout = 2000ms;
        o.handshake_timeout = 2000ms;
        o.request_timeout = 3000ms;
        o.backoff = {20ms, 100ms};  // fast retries keep the suite quick
        o.proxy_env = {};           // whatever the environment says, loopback is direct
        return o;
    }
    static tjc::circleci::Client make_api(tjc::net::HttpClient& http, const tjc::testing::TestServer& s) {
        auto c = tjc::circleci::Client::create(http, s.base_url());
        REQUIRE(c.has_value());
        return std::move(c).value();
    }

    // Runs one awaitable to completion on the io_context.
    template <typename T>
    T run(asio::awaitable<T> aw) {
        std::optional<T> out;
        std::exception_ptr failure;
        asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e, T v) {
            failure = e;
            if (!e) {
                out.emplace(std::move(v));
            }
            io.stop();  // idle pooled connections hold no work, but be explicit
        });
        io.restart();
        io.run();
        if (failure) {
            std::rethrow_exception(failure);
        }
        REQUIRE(out.has_value());
        return std::move(*out);
    }

    void run(asio::awaitable<void> aw) {
        std::exception_ptr failure;
        asio::co_spawn(io, std::move(aw), [&](std::exception_ptr e) {
            failure = e;
            io.stop();
        });
        io.restart();
        io.run();
        if (failure) {
            std::rethrow_exception(failure);
        }
    }

    static Clock::time_point in(std::chrono::milliseconds d) { return Clock::now() + d; }
};

// A minimal HTTP CONNECT proxy on its own thread: counts tunnels, remembers the last
// Proxy-Authorization, or answers every CONNECT with `refuse_status`.
class ConnectProxy {
public:
    explicit ConnectProxy(int refuse_status = 0) : refuse_status_(refuse_status) {
        acceptor_.open(asio::ip::tcp::v4());
        acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
        acceptor_.listen();
        asio::co_spawn(io_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~ConnectProxy() {
        io_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int tunnels() const { return tunnels_; }
    std::string last_auth() const {
        std::lock_guard lock(mu_);
        return last_auth_;
    }

private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto sock = co_await acceptor_.async_accept(asio::use_awaitable);
            asio::co_spawn(io_, serve(std::move(sock)), asio::detached);
        }
    }
    static asio::awaitable<void> pump(asio::ip::tcp::socket& from, asio::ip::tcp::socket& to) {
        std::array<char, 16384> buf{};
        for (;;) {
            auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
            if (ec) {
                break;
            }
            auto [wec, wn] =
                co_await asio::async_write(to, asio::buffer(buf.data(), n), asio::as_tuple(asio::use_awaitable));
            (void)wn;
            if (wec) {
                break;
            }
        }
        boost::system::error_code ignored;
        to.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    }
    asio::awaitable<void> serve(asio::ip::tcp::socket client) {
        using namespace asio::experimental::awaitable_operators;
        asio::streambuf head;
        auto [ec, n] = co_await asio::async_read_until(client, head, "\r\n\r\n", asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        std::istream in(&head);
        std::string method, authority, line;
        in >> method >> authority;
        std::getline(in, line);
        while (std::getline(in, line) && line != "\r") {
            if (line.rfind("Proxy-Authorization: ", 0) == 0) {
                std::lock_guard lock(mu_);
                last_auth_ = line.substr(21, line.size() - 22);
            }
        }
        if (method != "CONNECT" || refuse_status_ != 0) {
            const std::string no = "HTTP/1.1 " + std::to_string(refuse_status_ ? refuse_status_ : 405) +
                                   " No\r\nContent-Length: 0\r\n\r\n";
            co_await asio::async_write(client, asio::buffer(no), asio::as_tuple(asio::use_awaitable));
            co_return;
        }
        const auto colon = authority.rfind(':');
        asio::ip::tcp::socket upstream(io_);
        auto [cec] =
            co_await upstream.async_connect({asio::ip::make_address(authority.substr(0, colon)),
                                             static_cast<std::uint16_t>(std::stoi(authority.substr(colon + 1)))},
                                            asio::as_tuple(asio::use_awaitable));
        if (cec) {
            co_return;
        }
        ++tunnels_;
        static const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
        co_await asio::async_write(client, asio::buffer(ok), asio::as_tuple(asio::use_awaitable));
        co_await (pump(client, upstream) && pump(upstream, client));
    }

    int refuse_status_;
    asio::io_context io_{1};
    asio::ip::tcp::acceptor acceptor_{io_};
    std::thread thread_;
    std::atomic<int> tunnels_{0};
    mutable std::mutex mu_;
    std::string last_auth_;
};

void check_clean(const tjc::circleci::ApiError& e) {
    CHECK(e.message.find(kToken) == std::string::npos);
    CHECK(e.message.find('\n') == std::string::npos);
    CHECK_FALSE(e.message.empty());
}

}  // namespace

TEST_CASE_FIXTURE(Fixture, "typed calls against the fixture world") {
    const auto deadline = in(10s);
    auto me = run(api.me(cred(), deadline));
    REQUIRE(me.has_value());
    CHECK(me->login == "tooljump-bot");

    auto project = run(api.project(cred(), "gh/acme/passing", deadline));
    REQUIRE(project.has_value());
    CHECK(project->vcs_info.default_branch == "main");
    CHECK(project->slug == "gh/acme/passing");

    auto first = run(api.pipelines(cred(), "gh/acme/passing", "", "", deadline));
    REQUIRE(first.has_value());
    CHECK(first->items.size() == 3);
    REQUIRE(first->next_page_token.has_value());

    auto second = run(api.pipelines(cred(), "gh/acme/passing", "", *first->next_page_token, deadline));
    REQUIRE(second.has_value());
    REQUIRE_FALSE(second->items.empty());
    CHECK(second->items.front().id != first->items.front().id);

    auto all = run(api.pipelines_pages(cred(), "gh/acme/passing", "", 10, deadline));
    REQUIRE(all.has_value());
    CHECK(all->items.size() == 8);
    CHECK_FALSE(all->next_page_token.has_value());

    auto limited = run(api.pipelines_pages(cred(), "gh/acme/passing", "", 2, deadline));
    REQUIRE(limited.has_value());
    CHECK(limited->items.size() == 6);
    CHECK(limited->next_page_token.has_value());

    const auto& newest = all->items.front();
    auto by_id = run(api.pipeline(cred(), newest.id, deadline));
    REQUIRE(by_id.has_value());
    CHECK(by_id->number == newest.number);

    auto by_number = run(api.pipeline_by_number(cred(), "gh/acme/passing", newest.number, deadline));
    REQUIRE(by_number.has_value());
    CHECK(by_number->id == newest.id);

    auto workflows = run(api.workflows(cred(), newest.id, deadline));
    REQUIRE(workflows.has_value());
    REQUIRE_FALSE(workflows->items.empty());
    const auto& wf = workflows->items.front();
    CHECK(wf.pipeline_id == newest.id);

    auto one = run(api.workflow(cred(), wf.id, deadline));
    REQUIRE(one.has_value());
    CHECK(one->name == wf.name);

    auto jobs = run(api.jobs(cred(), wf.id, deadline));
    REQUIRE(jobs.has_value());
    CHECK_FALSE(jobs->items.empty());

    auto metrics = run(api.workflow_metrics(cred(), "gh/acme/passing", "main", "last-30-days", deadline));
    REQUIRE(metrics.has_value());
    CHECK_FALSE(metrics->items.empty());

    auto runs = run(api.workflow_runs(cred(), "gh/acme/passing", "build-and-test", "main", deadline));
    REQUIRE(runs.has_value());
    CHECK_FALSE(runs->items.empty());

    auto summary =
        run(api.workflow_summary(cred(), "gh/acme/passing", "build-and-test", "main", "last-30-days", deadline));
    REQUIRE(summary.has_value());
    CHECK(summary->metrics.total_runs > 0);

    auto page = run(api.pages_summary(cred(), "gh/acme/passing", "last-30-days", {"main"}, deadline));
    REQUIRE(page.has_value());
    CHECK_FALSE(page->all_workflows.empty());

    auto bad_window = run(api.workflow_metrics(cred(), "gh/acme/passing", "main", "last-year", deadline));
    REQUIRE_FALSE(bad_window.has_value());
    CHECK(bad_window.error().kind == ApiErrorKind::bad_response);
    CHECK(bad_window.error().http_status == 422);
}

TEST_CASE_FIXTURE(Fixture, "token problems never reach the wire or the messages") {
    auto none = run(api.me(cred(""), in(5s)));
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().kind == ApiErrorKind::no_token);
    auto injected = run(api.me(cred("abc\r\nX-Evil: 1"), in(5s)));
    REQUIRE_FALSE(injected.has_value());
    CHECK(injected.error().kind == ApiErrorKind::no_token);
    CHECK(server.requests() == 0);

    const std::string wrong = "project-token-0123456789abcdef";
    auto rejected = run(api.me(cred(wrong), in(5s)));
    REQUIRE_FALSE(rejected.has_value());
    CHECK(rejected.error().kind == ApiErrorKind::unauthorized);
    CHECK(rejected.error().http_status == 401);
    CHECK(rejected.error().message.find("personal") != std::string::npos);
    CHECK(rejected.error().message.find(wrong) == std::string::npos);

    auto bad_slug = run(api.project(cred(), "gh/../../etc", in(5s)));
    REQUIRE_FALSE(bad_slug.has_value());
    CHECK(bad_slug.error().kind == ApiErrorKind::not_found);
    CHECK(server.requests() == 1);
}

TEST_CASE_FIXTURE(Fixture, "pool reuse: one TLS handshake for many sequential requests") {
    for (int i = 0; i < 25; ++i) {
        auto r = run(api.me(cred(), in(5s)));
        REQUIRE(r.has_value());
    }
    CHECK(server.requests("/api/v2/me") == 25);
    CHECK(server.handshakes() == 1);
    CHECK(server.connections() == 1);
    const auto stats = http.host_stats(api.api());
    CHECK(stats.open == 1);
    CHECK(stats.idle == 1);
}

TEST_CASE_FIXTURE(Fixture,
                  "one TLS context per process per TLS settings: clients share it, other settings get their own") {
    const auto before = tjc::net::TlsContext::made();
    auto options = make_client_options(server);
    {
        tjc::net::HttpClient a{io.get_executor(), options};
        tjc::net::HttpClient b{io.get_executor(), options};  // the fixture's client has these settings too
        CHECK(tjc::net::TlsContext::made() == before);       // nobody loaded the anchors again
        auto api_b = make_api(b, server);
        REQUIRE(run(api_b.me(cred(), in(5s))).has_value());
        options.use_system_trust = true;  // other settings: a context of their own, shared in turn
        tjc::net::HttpClient c{io.get_executor(), options};
        tjc::net::HttpClient d{io.get_executor(), options};
        CHECK(tjc::net::TlsContext::made() == before + 1);
    }
}

TEST_CASE_FIXTURE(Fixture, "prewarm opens one verified connection that the first request then uses") {
    run(http.prewarm(api.api(), in(5s)));
    // The server counts a handshake on its own thread, a moment after the client's ends.
    for (int i = 0; i < 500 && server.handshakes() == 0; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    CHECK(server.handshakes() == 1);
    CHECK(server.requests() == 0);  // warming asks nothing
    CHECK(http.host_stats(api.api()).idle == 1);
    run(http.prewarm(api.api(), in(5s)));  // a connection exists: nothing more to warm
    CHECK(server.handshakes() == 1);
    REQUIRE(run(api.me(cred(), in(5s))).has_value());
    CHECK(server.handshakes() == 1);  // the request paid no handshake
    CHECK(server.connections() == 1);
    // A failed warm-up (the server gone) is silent and leaves the pool as it was.
    tjc::net::HttpClient cold{io.get_executor(), make_client_options(server)};
    server.set_fault({FaultKind::refuse_connections});
    run(cold.prewarm(api.api(), in(2s)));
    CHECK(cold.host_stats(api.api()).open == 0);
    server.clear_faults();
}

TEST_CASE_FIXTURE(Fixture, "200 concurrent requests share at most 4 pooled connections") {
    server.set_fault({FaultKind::latency, "", -1, 5ms});
    int ok = 0, failed = 0;
    unsigned max_open = 0, max_waiting = 0;
    const auto deadline = in(60s);
    for (int i = 0; i < 200; ++i) {
        asio::co_spawn(
            io, api.pipelines(cred(), "gh/acme/passing", "main", "", deadline),
            [&](std::exception_ptr e, tjc::circleci::ApiResult<tjc::circleci::Page<tjc::circleci::Pipeline>> r) {
                if (!e && r.has_value()) {
                    ++ok;
                } else {
                    ++failed;
                }
                const auto s = http.host_stats(api.api());
                max_open = std::max(max_open, s.open);
                max_waiting = std::max(max_waiting, s.waiting);
            });
    }
    io.run();
    CHECK(ok == 200);
    CHECK(failed == 0);
    CHECK(server.requests("/api/v2/project") == 200);
    CHECK(server.connections() <= 4);
    CHECK(server.handshakes() <= 4);
    CHECK(max_open <= 4);
    CHECK(max_waiting > 0);  // requests really queued for a connection
}

TEST_CASE_FIXTURE(Fixture, "faults map to their error kinds within the deadline, token-free") {
    struct Case {
        const char* name;
        FaultSpec fault;
        ApiErrorKind kind;
        int status;
    };
    const std::vector<Case> cases = {
        {"latency past the deadline", {FaultKind::latency, "/api/v2/me", -1, 5000ms}, ApiErrorKind::timeout, 0},
        {"connection refused", {FaultKind::refuse_connections}, ApiErrorKind::unreachable, 0},
        {"reset mid-body", {FaultKind::reset_mid_body, "/api/v2/me"}, ApiErrorKind::unreachable, 0},
        {"stall", {FaultKind::stall, "/api/v2/me"}, ApiErrorKind::timeout, 0},
        {"slow drip", {FaultKind::slow_drip, "/api/v2/me", -1, 400ms}, ApiErrorKind::timeout, 0},
        {"500", {FaultKind::http_status, "/api/v2/me", -1, 0ms, 500}, ApiErrorKind::server_error, 500},
        {"502", {FaultKind::http_status, "/api/v2/me", -1, 0ms, 502}, ApiErrorKind::server_error, 502},
        {"503", {FaultKind::http_status, "/api/v2/me", -1, 0ms, 503}, ApiErrorKind::server_error, 503},
        {"403", {FaultKind::http_status, "/api/v2/me", -1, 0ms, 403}, ApiErrorKind::forbidden, 403},
        {"429 past the deadline",
         {FaultKind::rate_limit, "/api/v2/me", -1, 0ms, 0, 30},
         ApiErrorKind::rate_limited,
         429},
        {"401", {FaultKind::unauthorized, "/api/v2/me"}, ApiErrorKind::unauthorized, 401},
        {"404", {FaultKind::not_found, "/api/v2/me"}, ApiErrorKind::not_found, 404},
        {"invalid JSON", {FaultKind::invalid_json, "/api/v2/me"}, ApiErrorKind::bad_response, 200},
        {"oversized body", {FaultKind::oversized_body, "/api/v2/me"}, ApiErrorKind::bad_response, 0},
        {"wrong-host certificate", {FaultKind::wrong_host_cert}, ApiErrorKind::tls, 0},
        {"html error page", {FaultKind::html_error_page, "/api/v2/me"}, ApiErrorKind::server_error, 502},
        // The server repeats the token in its message (and a header): the message is redacted.
        {"echo token 500", {FaultKind::echo_token, "/api/v2/me"}, ApiErrorKind::server_error, 500},
        {"echo token 401", {FaultKind::echo_token, "/api/v2/me", -1, 0ms, 401}, ApiErrorKind::unauthorized, 401},
        {"echo token 422", {FaultKind::echo_token, "/api/v2/me", -1, 0ms, 422}, ApiErrorKind::bad_response, 422},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        server.clear_faults();
        server.reset_counters();
        server.set_fault(c.fault);
        // A fresh client per case: no pooled connection or throttle carries over.
        tjc::net::HttpClient fresh(io.get_executor(), make_client_options(server));
        auto fresh_api = make_api(fresh, server);
        const auto started = Clock::now();
        const auto deadline = started + 2500ms;
        auto r = run(fresh_api.me(cred(), deadline));
        const auto elapsed = Clock::now() - started;
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().kind == c.kind);
        CHECK(r.error().http_status == c.status);
        check_clean(r.error());
        if (c.fault.kind == FaultKind::echo_token) {
            CHECK(r.error().message.find("token [redacted] was not accepted") != std::string::npos);
        }
        CHECK(elapsed < 2500ms + 1000ms);  // the deadline holds (slack for a loaded machine)
        if (c.kind == ApiErrorKind::rate_limited) {
            REQUIRE(r.error().retry_after.has_value());
            CHECK(r.error().retry_after->count() == 30);
            CHECK(elapsed < 2000ms);  // failed fast instead of waiting past its deadline
        }
        if (c.kind == ApiErrorKind::server_error) {
            CHECK(server.requests("/api/v2/me") >= 2);  // retried
        }
        if (c.kind == ApiErrorKind::unauthorized || c.kind == ApiErrorKind::not_found ||
            c.kind == ApiErrorKind::forbidden) {
            CHECK(server.requests("/api/v2/me") == 1);  // not retried
        }
    }
    server.clear_faults();
    auto healthy = run(api.me(cred(), in(5s)));
    CHECK(healthy.has_value());
}

TEST_CASE_FIXTURE(Fixture, "the html error page is summarised in one short line") {
    server.set_fault({FaultKind::html_error_page, "/api/v2/me"});
    auto r = run(api.me(cred(), in(3s)));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ApiErrorKind::server_error);
    CHECK(r.error().message.size() < 300);
    CHECK(r.error().message.find('<') == std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "transient failures are retried to success") {
    SUBCASE("one 503") { server.set_fault({FaultKind::http_status, "/api/v2/me", 1, 0ms, 503}); }
    SUBCASE("one reset mid-body") { server.set_fault({FaultKind::reset_mid_body, "/api/v2/me", 1}); }
    auto r = run(api.me(cred(), in(5s)));
    REQUIRE(r.has_value());
    CHECK(r->login == "tooljump-bot");
    CHECK(server.requests("/api/v2/me") == 2);
}

TEST_CASE_FIXTURE(Fixture, "cancellation mid-request closes the socket and frees the slot") {
    server.set_fault({FaultKind::stall, "/api/v2/me"});
    asio::cancellation_signal cancel;
    std::optional<tjc::circleci::ApiResult<tjc::circleci::User>> result;
    const auto started = Clock::now();
    asio::co_spawn(io, api.me(cred(), in(20s)),
                   asio::bind_cancellation_slot(
                       cancel.slot(), [&](std::exception_ptr e, tjc::circleci::ApiResult<tjc::circleci::User> r) {
                           CHECK_FALSE(e);
                           result.emplace(std::move(r));
                       }));
    // Cancel once the server has the request in hand.
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer t(io);
            while (server.requests("/api/v2/me") == 0) {
                t.expires_after(10ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            t.expires_after(100ms);
            co_await t.async_wait(asio::use_awaitable);
            cancel.emit(asio::cancellation_type::terminal);
        },
        asio::detached);
    io.run();
    REQUIRE(result.has_value());
    REQUIRE_FALSE(result->has_value());
    CHECK(result->error().kind == ApiErrorKind::cancelled);
    check_clean(result->error());
    CHECK(Clock::now() - started < 10s);
    const auto stats = http.host_stats(api.api());
    CHECK(stats.open == 0);  // the stalled connection is gone, its slot free

    server.clear_faults();
    auto after = run(api.me(cred(), in(5s)));
    CHECK(after.has_value());
}

TEST_CASE_FIXTURE(Fixture, "cancelling a queued request leaves the queue") {
    tjc::net::HttpClientOptions one = make_client_options(server);
    one.max_connections_per_host = 1;
    tjc::net::HttpClient narrow(io.get_executor(), one);
    auto narrow_api = make_api(narrow, server);
    server.set_fault({FaultKind::latency, "/api/v2/me", -1, 800ms});

    std::optional<tjc::circleci::ApiResult<tjc::circleci::User>> first, queued;
    asio::cancellation_signal cancel;
    asio::co_spawn(
        io, narrow_api.me(cred(), in(20s)),
        [&](std::exception_ptr, tjc::circleci::ApiResult<tjc::circleci::User> r) { first.emplace(std::move(r)); });
    asio::co_spawn(io, narrow_api.me(cred(), in(20s)),
                   asio::bind_cancellation_slot(
                       cancel.slot(), [&](std::exception_ptr, tjc::circleci::ApiResult<tjc::circleci::User> r) {
                           queued.emplace(std::move(r));
                       }));
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer t(io);
            while (narrow.host_stats(narrow_api.api()).waiting == 0) {
                t.expires_after(5ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            cancel.emit(asio::cancellation_type::terminal);
        },
        asio::detached);
    io.run();
    REQUIRE(queued.has_value());
    REQUIRE_FALSE(queued->has_value());
    CHECK(queued->error().kind == ApiErrorKind::cancelled);
    REQUIRE(first.has_value());
    CHECK(first->has_value());
    CHECK(server.requests("/api/v2/me") == 1);
    CHECK(narrow.host_stats(narrow_api.api()).waiting == 0);
}

TEST_CASE_FIXTURE(Fixture, "a 429 throttles the host: a second request waits instead of piling on") {
    server.set_fault({FaultKind::rate_limit, "/api/v2/me", 1, 0ms, 0, 2});
    std::optional<tjc::circleci::ApiResult<tjc::circleci::User>> a;
    std::optional<tjc::circleci::ApiResult<tjc::circleci::Project>> b;
    std::size_t project_requests_while_throttled = 99;
    bool saw_throttle = false;
    asio::co_spawn(
        io, api.me(cred(), in(20s)),
        [&](std::exception_ptr, tjc::circleci::ApiResult<tjc::circleci::User> r) { a.emplace(std::move(r)); });
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            asio::steady_timer t(io);
            while (!http.host_stats(api.api()).throttled_for) {
                t.expires_after(5ms);
                co_await t.async_wait(asio::use_awaitable);
            }
            saw_throttle = true;
            asio::co_spawn(io, api.project(cred(), "gh/acme/passing", in(20s)),
                           [&](std::exception_ptr, tjc::circleci::ApiResult<tjc::circleci::Project> r) {
                               b.emplace(std::move(r));
                           });
            t.expires_after(500ms);
            co_await t.async_wait(asio::use_awaitable);
            project_requests_while_throttled = server.requests("/api/v2/project");
        },
        asio::detached);
    io.run();
    CHECK(saw_throttle);
    CHECK(project_requests_while_throttled == 0);  // b was held back by the throttle
    REQUIRE(a.has_value());
    CHECK(a->has_value());  // a waited out Retry-After and retried
    REQUIRE(b.has_value());
    CHECK(b->has_value());
    CHECK(server.requests("/api/v2/me") == 2);
    CHECK(server.requests("/api/v2/project") == 1);
}

TEST_CASE_FIXTURE(Fixture, "a throttled host fails fast when the wait passes the deadline") {
    server.set_fault({FaultKind::rate_limit, "/api/v2/me", 1, 0ms, 0, 30});
    auto first = run(api.me(cred(), in(3s)));
    REQUIRE_FALSE(first.has_value());
    CHECK(first.error().kind == ApiErrorKind::rate_limited);
    const auto started = Clock::now();
    auto second = run(api.project(cred(), "gh/acme/passing", in(3s)));
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().kind == ApiErrorKind::rate_limited);
    REQUIRE(second.error().retry_after.has_value());
    CHECK(second.error().retry_after->count() >= 25);
    CHECK(Clock::now() - started < 1s);
    CHECK(server.requests("/api/v2/project") == 0);
}

TEST_CASE_FIXTURE(Fixture, "a redirect to another host is refused: the token stays home") {
    server.set_fault(
        {FaultKind::redirect, "/api/v2/project", -1, 0ms, 302, 0, "https://evil.example.com/api/v2/me?x=1"});
    auto refused = run(api.project(cred(), "gh/acme/passing", in(5s)));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().kind == ApiErrorKind::bad_response);
    CHECK(refused.error().message.find("evil.example.com") != std::string::npos);
    check_clean(refused.error());
    CHECK(server.requests("/api/v2/project") == 1);
}

TEST_CASE_FIXTURE(Fixture, "a same-origin redirect is followed") {
    // /me answers 302 once, pointing at /me again on the same server.
    server.set_fault({FaultKind::redirect, "/api/v2/me", 1, 0ms, 302, 0, server.base_url() + "/me"});
    auto r = run(api.me(cred(), in(5s)));
    REQUIRE(r.has_value());
    CHECK(r->login == "tooljump-bot");
    CHECK(server.requests("/api/v2/me") == 2);
}

TEST_CASE_FIXTURE(Fixture, "a CA that does not sign the server is a TLS error") {
    tjc::net::HttpClientOptions o = make_client_options(server);
    o.ca_file = "";
    o.use_system_trust = true;  // the system store does not know the test CA
    tjc::net::HttpClient strict(io.get_executor(), o);
    auto strict_api = make_api(strict, server);
    auto r = run(strict_api.me(cred(), in(5s)));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ApiErrorKind::tls);
    check_clean(r.error());
    CHECK(server.requests() == 0);
}

TEST_CASE_FIXTURE(Fixture, "through an HTTP CONNECT proxy: one tunnel, pooled, with proxy credentials") {
    ConnectProxy proxy;
    tjc::net::HttpClientOptions o = make_client_options(server);
    o.proxy_url = "http://proxyuser:s3cret@127.0.0.1:" + std::to_string(proxy.port());
    tjc::net::HttpClient via(io.get_executor(), o);
    auto via_api = make_api(via, server);
    for (int i = 0; i < 3; ++i) {
        auto r = run(via_api.me(cred(), in(5s)));
        REQUIRE(r.has_value());
        CHECK(r->login == "tooljump-bot");
    }
    CHECK(proxy.tunnels() == 1);
    CHECK(proxy.last_auth() == "Basic cHJveHl1c2VyOnMzY3JldA==");  // base64("proxyuser:s3cret")
    CHECK(server.handshakes() == 1);                               // TLS end to end through the tunnel, kept alive
}

TEST_CASE_FIXTURE(Fixture, "a proxy that refuses CONNECT is an unreachable error") {
    ConnectProxy proxy(407);
    tjc::net::HttpClientOptions o = make_client_options(server);
    o.proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
    tjc::net::HttpClient via(io.get_executor(), o);
    auto via_api = make_api(via, server);
    auto r = run(via_api.me(cred(), in(5s)));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ApiErrorKind::unreachable);
    CHECK(r.error().message.find("407") != std::string::npos);
    check_clean(r.error());
    CHECK(server.requests() == 0);
}

TEST_CASE_FIXTURE(Fixture, "latency inside the deadline is just slow, not an error") {
    server.set_fault({FaultKind::latency, "/api/v2/me", -1, 300ms});
    auto r = run(api.me(cred(), in(5s)));
    REQUIRE(r.has_value());
    CHECK(r->login == "tooljump-bot");
}

TEST_CASE_FIXTURE(Fixture, "retries never run past the query deadline") {
    tjc::net::HttpClientOptions o = make_client_options(server);
    o.max_retries = 50;  // the deadline, not the count, must stop this
    o.backoff = {200ms, 400ms};
    tjc::net::HttpClient many(io.get_executor(), o);
    auto many_api = make_api(many, server);
    server.set_fault({FaultKind::http_status, "/api/v2/me", -1, 0ms, 503});
    const auto started = Clock::now();
    auto r = run(many_api.me(cred(), started + 1500ms));
    const auto elapsed = Clock::now() - started;
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().kind == ApiErrorKind::server_error);
    CHECK(r.error().http_status == 503);
    CHECK(server.requests("/api/v2/me") >= 2);
    CHECK(server.requests("/api/v2/me") < 50);
    CHECK(elapsed < 1500ms + 500ms);
}
