// Pool, throttle, retries and redirects; the socket work is HttpsConnection's. Single-threaded
// by contract (see the header), so the pool needs no locks.
#include "net/http_client.hpp"

#include "net/https_connection.hpp"
#include "net/redact.hpp"
#include "net/redirect_policy.hpp"
#include "net/retry_after.hpp"
#include "util/wipe.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <random>

namespace tjc::net {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

HttpClientOptions HttpClientOptions::from_config(const config::Config& config) {
    HttpClientOptions o;
    o.connect_timeout = milliseconds(config.timeouts.connect_ms);
    o.handshake_timeout = milliseconds(config.timeouts.tls_handshake_ms);
    o.request_timeout = milliseconds(config.timeouts.request_ms);
    o.max_connections_per_host = std::max<unsigned>(1, config.http.max_connections_per_host);
    o.max_response_bytes = config.http.max_response_bytes;
    o.max_retries = config.http.max_retries;
    o.ca_file = config.tls.ca_file;
    o.proxy_url = config.proxy.url;
    o.proxy_env = proxy_env_from_process();
    return o;
}

namespace {

// A get() queued for a connection. The releaser sets granted (and conn: an idle connection
// handed over, or null: a free slot to open one) and cancels the timer to wake it.
struct Waiter {
    asio::steady_timer* timer = nullptr;
    std::unique_ptr<HttpsConnection> conn;
    bool granted = false;
};

struct Pool {
    std::vector<std::unique_ptr<HttpsConnection>> idle;  // most recently used last
    unsigned open = 0;
    std::deque<Waiter*> waiters;
    Clock::time_point throttled_until{};
};

std::chrono::seconds ceil_seconds(Clock::duration d) {
    auto s = std::chrono::ceil<std::chrono::seconds>(d);
    return s.count() < 0 ? std::chrono::seconds(0) : s;
}

}  // namespace

struct HttpClient::Impl {
    Impl(asio::any_io_executor e, HttpClientOptions o)
        : ex(std::move(e)), opt(std::move(o)), tls(TlsContext::create(opt.use_system_trust, opt.ca_file)),
          rng(std::random_device{}()) {}

    asio::any_io_executor ex;
    HttpClientOptions opt;
    Expected<std::shared_ptr<TlsContext>> tls;
    std::minstd_rand rng;
    std::map<std::string, Pool> pools;  // by Endpoint::authority(); nodes are stable
    bool closed = false;

    Pool& pool(const Endpoint& e) { return pools[e.authority()]; }

    void attempted(unsigned status) const {
        if (opt.on_attempt) opt.on_attempt(status);
    }
    void attempted(NetErrorKind kind) const {
        if (kind != NetErrorKind::cancelled) attempted(0u);
    }

    // A connection (or its slot) comes back: to the first waiter, else idle or freed.
    void release(Pool& p, std::unique_ptr<HttpsConnection> conn) {
        if (conn && (!conn->reusable() || closed)) conn.reset();
        if (!p.waiters.empty()) {
            Waiter* w = p.waiters.front();
            p.waiters.pop_front();
            w->conn = std::move(conn);
            w->granted = true;
            w->timer->cancel();
            return;
        }
        if (conn) {
            p.idle.push_back(std::move(conn));
        } else {
            --p.open;
        }
    }

    void drop_stale_idle(Pool& p) {
        const auto now = Clock::now();
        auto keep = std::remove_if(p.idle.begin(), p.idle.end(), [&](const std::unique_ptr<HttpsConnection>& c) {
            return !c->reusable() || now - c->last_used() > opt.idle_timeout;
        });
        p.open -= static_cast<unsigned>(p.idle.end() - keep);
        p.idle.erase(keep, p.idle.end());
    }
};

namespace {

using Impl = HttpClient::Impl;

// Holds a connection slot of one pool; gives it back on every path out of get().
class Lease {
public:
    Lease() = default;
    Lease(std::shared_ptr<Impl> impl, Pool* pool, std::unique_ptr<HttpsConnection> conn)
        : impl_(std::move(impl)), pool_(pool), conn(std::move(conn)), reused(this->conn != nullptr) {}
    Lease(Lease&& o) noexcept
        : impl_(std::move(o.impl_)), pool_(std::exchange(o.pool_, nullptr)), conn(std::move(o.conn)), reused(o.reused) {}
    Lease& operator=(Lease&& o) noexcept {
        if (this != &o) {
            give_back();
            impl_ = std::move(o.impl_);
            pool_ = std::exchange(o.pool_, nullptr);
            conn = std::move(o.conn);
            reused = o.reused;
        }
        return *this;
    }
    ~Lease() { give_back(); }
    void give_back() {
        if (pool_) impl_->release(*pool_, std::move(conn));
        pool_ = nullptr;
    }

private:
    std::shared_ptr<Impl> impl_;
    Pool* pool_ = nullptr;

public:
    std::unique_ptr<HttpsConnection> conn;  // null: open a new one on this slot
    bool reused = false;
};

// Removes a waiter from its queue unless it was granted (e.g. on cancellation).
struct WaiterGuard {
    Pool& pool;
    Waiter& w;
    ~WaiterGuard() {
        if (!w.granted) pool.waiters.erase(std::remove(pool.waiters.begin(), pool.waiters.end(), &w), pool.waiters.end());
    }
};

// Sleeps until t; false when the caller cancelled.
asio::awaitable<bool> sleep_until(Clock::time_point t) {
    asio::steady_timer timer(co_await asio::this_coro::executor, t);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec;
}

NetError cancelled_error() { return {NetErrorKind::cancelled, "request cancelled", {}}; }

asio::awaitable<std::optional<NetError>> acquire(std::shared_ptr<Impl> self, Pool& pool, const Endpoint& server,
                                                 Clock::time_point deadline, Lease& lease) {
    self->drop_stale_idle(pool);
    if (!pool.idle.empty()) {
        auto conn = std::move(pool.idle.back());
        pool.idle.pop_back();
        lease = Lease(self, &pool, std::move(conn));
        co_return std::nullopt;
    }
    if (pool.open < self->opt.max_connections_per_host) {
        ++pool.open;
        lease = Lease(self, &pool, nullptr);
        co_return std::nullopt;
    }
    const auto started = Clock::now();
    Waiter w;
    asio::steady_timer timer(self->ex, deadline);
    w.timer = &timer;
    pool.waiters.push_back(&w);
    WaiterGuard guard{pool, w};
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (w.granted) {
        lease = Lease(self, &pool, std::move(w.conn));
        co_return std::nullopt;
    }
    if (ec) co_return cancelled_error();
    co_return NetError{NetErrorKind::timeout,
                       "timed out waiting " + std::to_string(duration_cast<milliseconds>(Clock::now() - started).count()) +
                           " ms for a free connection to " + server.authority(),
                       {}};
}

// Waits out the host's 429 throttle, or fails fast when it lasts past the deadline.
asio::awaitable<std::optional<NetError>> wait_throttle(Pool& pool, const Endpoint& server, Clock::time_point deadline) {
    while (true) {
        const auto now = Clock::now();
        const auto until = pool.throttled_until;
        if (until <= now) co_return std::nullopt;
        if (until + kMinAttemptTime > deadline) {
            const auto wait = ceil_seconds(until - now);
            co_return NetError{NetErrorKind::rate_limited,
                               "CircleCI rate limit: " + server.host + " asked to wait " + std::to_string(wait.count()) +
                                   " s more, past this query's deadline",
                               wait};
        }
        if (!co_await sleep_until(until)) co_return cancelled_error();
    }
}

// The request's copies of the token (its secret, its header, the spec's header) are wiped on
// every path out of run_get.
struct WipeRequest {
    GetRequest& req;
    RequestSpec& spec;
    ~WipeRequest() {
        wipe(req.secret);
        for (auto& h : req.headers) wipe(h.value);
        for (auto& h : spec.headers) wipe(h.value);
    }
};

asio::awaitable<HttpResult> run_get(std::shared_ptr<Impl> self, GetRequest req, Clock::time_point deadline) {
    RequestSpec spec;
    WipeRequest wipe_request{req, spec};
    auto fail = [&req](NetError e) -> HttpResult {
        e.message = redact(std::move(e.message), req.secret);
        return e;
    };
    if (!self->tls.has_value()) co_return fail({NetErrorKind::tls, self->tls.error(), {}});
    auto proxy = choose_proxy(self->opt.proxy_url, self->opt.proxy_env, req.server.host, req.server.port);
    if (!proxy.has_value()) co_return fail({NetErrorKind::unreachable, proxy.error(), {}});

    spec.target = req.target;
    spec.headers = req.headers;
    spec.headers.push_back({"User-Agent", self->opt.user_agent});
    spec.body_limit = self->opt.max_response_bytes;

    Pool& pool = self->pool(req.server);
    unsigned retries = 0;
    unsigned free_retries = self->opt.max_connections_per_host + 1;  // stale idle connections
    int redirects = 0;
    std::optional<HttpResult> last;  // what to report when the retries run out

    auto backoff_or_stop = [&](Clock::duration wait) { return should_retry(retries, self->opt.max_retries, wait, Clock::now(), deadline); };
    auto jitter = [&] { return std::uniform_real_distribution<double>(0.0, 1.0)(self->rng); };

    try {
        while (true) {
            if (Clock::now() >= deadline)
                co_return last ? std::move(*last)
                               : fail({NetErrorKind::timeout, "deadline passed before " + req.server.authority() + " answered", {}});
            if (auto e = co_await wait_throttle(pool, req.server, deadline)) co_return fail(std::move(*e));

            Lease lease;
            if (auto e = co_await acquire(self, pool, req.server, deadline, lease)) co_return fail(std::move(*e));

            if (!lease.conn) {
                lease.conn = std::make_unique<HttpsConnection>(self->ex, self->tls.value(),
                                                               ConnectionTarget{req.server.host, req.server.port, proxy.value()});
                const auto now = Clock::now();
                auto err = co_await lease.conn->connect(std::min(deadline, now + self->opt.connect_timeout),
                                                        self->opt.handshake_timeout, deadline);
                if (err) {
                    self->attempted(err->kind);
                    lease.conn.reset();
                    lease.give_back();
                    const auto wait = backoff_delay(self->opt.backoff, retries, jitter());
                    if (is_retryable_error(err->kind) && backoff_or_stop(wait)) {
                        ++retries;
                        if (!co_await sleep_until(Clock::now() + wait)) co_return fail(cancelled_error());
                        continue;
                    }
                    co_return fail(std::move(*err));
                }
            }

            auto out = co_await lease.conn->exchange(spec, std::min(deadline, Clock::now() + self->opt.request_timeout));
            if (out.error) {
                const bool stale = lease.reused && !out.received_any && out.error->kind == NetErrorKind::unreachable;
                lease.conn.reset();
                lease.give_back();
                if (stale && free_retries > 0) {
                    --free_retries;
                    continue;
                }
                self->attempted(out.error->kind);
                const auto wait = backoff_delay(self->opt.backoff, retries, jitter());
                if (is_retryable_error(out.error->kind) && backoff_or_stop(wait)) {
                    ++retries;
                    if (!co_await sleep_until(Clock::now() + wait)) co_return fail(cancelled_error());
                    continue;
                }
                co_return fail(std::move(*out.error));
            }
            lease.give_back();  // back to the pool (or closed when not reusable)

            RawResponse raw = std::move(*out.response);
            HttpResponse& resp = raw.response;
            const unsigned status = resp.status;
            self->attempted(status);

            if (status == 429) {
                const auto asked = throttle_wait(raw.retry_after, raw.ratelimit_reset, raw.x_ratelimit_reset,
                                                 std::chrono::system_clock::now());
                const auto wait = asked.value_or(self->opt.default_throttle);
                resp.retry_after = wait;
                pool.throttled_until = std::max(pool.throttled_until, Clock::now() + wait);
                if (backoff_or_stop(wait)) {
                    ++retries;
                    last = std::move(resp);
                    continue;  // wait_throttle does the waiting, with everyone else
                }
                co_return std::move(resp);
            }
            if (is_retryable_status(status)) {
                const auto wait = backoff_delay(self->opt.backoff, retries, jitter());
                if (backoff_or_stop(wait)) {
                    ++retries;
                    last = std::move(resp);
                    if (!co_await sleep_until(Clock::now() + wait)) co_return fail(cancelled_error());
                    continue;
                }
                co_return std::move(resp);
            }
            if (is_redirect_status(status)) {
                auto next = redirect_target(req.server, spec.target, raw.location);
                if (!next.has_value()) co_return fail({NetErrorKind::bad_response, next.error(), {}});
                if (++redirects > kMaxRedirects)
                    co_return fail({NetErrorKind::bad_response, "too many redirects from " + req.server.authority(), {}});
                spec.target = std::move(next.value());
                continue;
            }
            co_return std::move(resp);
        }
    } catch (const boost::system::system_error& e) {
        // co_await throws operation_aborted once the caller's slot has fired.
        if (e.code() == asio::error::operation_aborted) co_return fail(cancelled_error());
        co_return fail({NetErrorKind::unreachable, std::string("request failed: ") + e.code().message(), {}});
    }
}

}  // namespace

HttpClient::HttpClient(asio::any_io_executor executor, HttpClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

HttpClient::~HttpClient() {
    impl_->closed = true;
    close_idle();
}

asio::awaitable<HttpResult> HttpClient::get(GetRequest request, Clock::time_point deadline) {
    // Not a coroutine itself: the shared state is copied now, so the client may go away
    // before the awaitable starts.
    return run_get(impl_, std::move(request), deadline);
}

HostStats HttpClient::host_stats(const Endpoint& server) const {
    HostStats s;
    auto it = impl_->pools.find(server.authority());
    if (it == impl_->pools.end()) return s;
    const Pool& p = it->second;
    s.open = p.open;
    s.idle = static_cast<unsigned>(p.idle.size());
    s.waiting = static_cast<unsigned>(p.waiters.size());
    const auto now = Clock::now();
    if (p.throttled_until > now) s.throttled_for = duration_cast<milliseconds>(p.throttled_until - now);
    return s;
}

const HttpClientOptions& HttpClient::options() const noexcept { return impl_->opt; }

void HttpClient::close_idle() {
    for (auto& [key, p] : impl_->pools) {
        p.open -= static_cast<unsigned>(p.idle.size());
        p.idle.clear();
    }
}

}  // namespace tjc::net
