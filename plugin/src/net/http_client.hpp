// The asynchronous HTTPS client every API call goes through: a keep-alive connection pool
// per host, retries with backoff for idempotent GETs, a per-host throttle after 429, and
// same-origin redirects only. Bound to one executor; it never makes threads of its own.
//
// Threading: every get() must run on the client's executor, and that executor must not run
// handlers concurrently (an io_context run by one thread, or a strand).
#pragma once

#include "net/http_types.hpp"
#include "net/proxy.hpp"
#include "net/retry_policy.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tjc::net {

struct HttpClientOptions {
    std::chrono::milliseconds connect_timeout{1500};    // TCP connect (+ proxy CONNECT), per attempt
    std::chrono::milliseconds handshake_timeout{1500};  // TLS handshake, per attempt
    std::chrono::milliseconds request_timeout{3000};    // one request, send to last byte
    unsigned max_connections_per_host = 16;             // busy + idle + connecting
    std::uint64_t max_response_bytes = 4u << 20;
    unsigned max_retries = 2;      // resets and 5xx, GET only
    std::string ca_file;           // extra PEM anchors ("" = none)
    bool use_system_trust = true;  // the system store as well
    std::string proxy_url;         // "" = proxy_env
    ProxyEnv proxy_env;            // HTTPS_PROXY / NO_PROXY as read at creation
    BackoffPolicy backoff;
    std::chrono::seconds default_throttle{5};  // a 429 that names no wait
    std::chrono::seconds idle_timeout{30};     // idle connections older than this are dropped
    std::string user_agent = "tooljump-circleci/0.1.0";
    // Told of every attempt on the client's executor (retries and redirects each count):
    // its HTTP status, or 0 when none came (connect, TLS, reset, timeout; not a cancellation,
    // nor a dead keep-alive connection retried at once), and the request's secret_name.
    // Empty: nobody is told.
    std::function<void(unsigned status, const std::string& secret_name)> on_attempt;
};

struct GetRequest {
    Endpoint server;              // where to connect; the Host header and TLS name come from it
    std::string target;           // origin form, e.g. "/api/v2/me"
    std::vector<Header> headers;  // besides Host, User-Agent and Connection
    std::string secret;           // a header value (the token): redacted from every message
    std::string secret_name;      // the name of that secret (never its value), for on_attempt
};

// What a host's pool looks like right now (for tests and metrics).
struct HostStats {
    unsigned open = 0;  // connections that exist (busy, idle or connecting)
    unsigned idle = 0;
    unsigned waiting = 0;                                    // get() calls queued for a connection
    std::optional<std::chrono::milliseconds> throttled_for;  // remaining 429 throttle
};

class HttpClient {
public:
    HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options);
    // Closes idle connections. Requests still in flight keep the shared state alive and
    // finish normally (the executor must outlive them).
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // GET with retries, throttling and redirects, until `deadline` at the latest.
    // - HTTP statuses come back as responses (a 429 after the allowed waits, 5xx after the
    //   retries, 401/403/404 at once); NetError when no usable response arrived.
    // - Lifetimes: the request is taken by value, nothing borrowed must outlive the call.
    //   The HttpClient may be destroyed while the awaitable runs; its executor may not.
    // - Cancellation: a terminal cancellation on the awaiting coroutine's slot (e.g. through
    //   co_spawn(..., bind_cancellation_slot(signal.slot(), handler))) closes the socket of the
    //   request in progress, or leaves the queue/throttle/backoff wait; the result is then
    //   NetErrorKind::cancelled and the connection slot is free again when it completes.
    boost::asio::awaitable<HttpResult> get(GetRequest request, Clock::time_point deadline);

    // Opens one connection to `server` (TCP, proxy, TLS handshake) by `deadline` and keeps it
    // idle in the pool, so that the first request pays no handshake. Silent: a failure changes
    // nothing. Runs on the client's executor; cancellation as get().
    boost::asio::awaitable<void> prewarm(Endpoint server, Clock::time_point deadline);

    [[nodiscard]] HostStats host_stats(const Endpoint& server) const;
    [[nodiscard]] const HttpClientOptions& options() const noexcept;
    // Closes every idle connection (e.g. on config reload).
    void close_idle();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace tjc::net
