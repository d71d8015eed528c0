// Pool, throttle, retries and redirects; the socket work is HttpsConnection's. Single-threaded
// by contract (see the header), so the pool needs no locks.
#include "net/http_client.hpp"

#include "net/attempt_policy.hpp"
#include "net/https_connection.hpp"
#include "net/redact.hpp"
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
#include <variant>

namespace tjc::net {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

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
        : ex(std::move(e)),
          opt(std::move(o)),
          tls(TlsContext::shared(opt.use_system_trust, opt.ca_file)),
          rng(std::random_device{}()) {}

    asio::any_io_executor ex;
    HttpClientOptions opt;
    Expected<std::shared_ptr<TlsContext>> tls;
    std::minstd_rand rng;
    std::map<std::string, Pool> pools;  // by Endpoint::authority(); nodes are stable
    bool closed = false;

    Pool& pool(const Endpoint& e) { return pools[e.authority()]; }

    void attempted(unsigned status, const std::string& secret_name) const {
        if (opt.on_attempt) {
            opt.on_attempt(status, secret_name);
        }
    }

    // A connection (or its slot) comes back: to the first waiter, else idle or freed.
    void release(Pool& p, std::unique_ptr<HttpsConnection> conn) {
        if (conn && (!conn->reusable() || closed)) {
            conn.reset();
        }
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
        : impl_(std::move(o.impl_)),
          pool_(std::exchange(o.pool_, nullptr)),
          conn(std::move(o.conn)),
          reused(o.reused) {}
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
        if (pool_) {
            impl_->release(*pool_, std::move(conn));
        }
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
        if (!w.granted) {
            pool.waiters.erase(std::remove(pool.waiters.begin(), pool.waiters.end(), &w), pool.waiters.end());
        }
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
    if (ec) {
        co_return cancelled_error();
    }
    co_return NetError{NetErrorKind::timeout,
                       "timed out waiting " +
                           std::to_string(duration_cast<milliseconds>(Clock::now() - started).count()) +
                           " ms for a free connection to " + server.authority(),
                       {}};
}

// Waits out the host's 429 throttle, or fails fast when it lasts past the deadline.
asio::awaitable<std::optional<NetError>> wait_throttle(Pool& pool, const Endpoint& server, Clock::time_point deadline) {
    while (true) {
        const auto now = Clock::now();
        const auto until = pool.throttled_until;
        if (until <= now) {
            co_return std::nullopt;
        }
        if (until + kMinAttemptTime > deadline) {
            const auto wait = ceil_seconds(until - now);
            co_return NetError{NetErrorKind::rate_limited,
                               "CircleCI rate limit: " + server.host + " asked to wait " +
                                   std::to_string(wait.count()) + " s more, past this query's deadline",
                               wait};
        }
        if (!co_await sleep_until(until)) {
            co_return cancelled_error();
        }
    }
}

// The request's copies of the token (its secret, its header, the spec's header) are wiped on
// every path out of run_get.
struct WipeRequest {
    GetRequest& req;
    RequestSpec& spec;
    ~WipeRequest() {
        wipe(req.secret);
        for (auto& h : req.headers) {
            wipe(h.value);
        }
        for (auto& h : spec.headers) {
            wipe(h.value);
        }
    }
};

// A fresh connection on the lease's slot: TCP (and proxy), then TLS, by the step deadlines.
asio::awaitable<std::optional<NetError>> open_connection(const std::shared_ptr<Impl>& self, Lease& lease,
                                                         const Endpoint& server, const std::optional<ProxyRoute>& proxy,
                                                         Clock::time_point deadline) {
    lease.conn = std::make_unique<HttpsConnection>(self->ex, self->tls.value(),
                                                   ConnectionTarget{server.host, server.port, proxy});
    co_return co_await lease.conn->connect(std::min(deadline, Clock::now() + self->opt.connect_timeout),
                                           self->opt.handshake_timeout, deadline);
}

// One attempt: a connection from the pool (or a new one), one exchange on it. The connection
// goes back to the pool (or is closed) before this returns.
asio::awaitable<std::variant<Attempt, NetError>> attempt_once(std::shared_ptr<Impl> self, Pool& pool,
                                                              const GetRequest& req,
                                                              const std::optional<ProxyRoute>& proxy,
                                                              const RequestSpec& spec, Clock::time_point deadline,
                                                              std::optional<RawResponse>& raw) {
    Lease lease;
    if (auto e = co_await acquire(self, pool, req.server, deadline, lease)) {
        co_return std::move(*e);  // no slot by the deadline, or cancelled: not an attempt
    }
    Attempt a;
    a.reused = lease.conn != nullptr;
    if (!lease.conn) {
        if (auto err = co_await open_connection(self, lease, req.server, proxy, deadline)) {
            a.kind = Attempt::Kind::connect_error;
            a.error = std::move(*err);
            co_return a;  // the lease frees the slot
        }
    }
    auto out = co_await lease.conn->exchange(spec, std::min(deadline, Clock::now() + self->opt.request_timeout));
    if (out.error) {
        a.kind = Attempt::Kind::exchange_error;
        a.error = std::move(*out.error);
        a.received_any = out.received_any;
        lease.conn.reset();
        co_return a;
    }
    lease.give_back();  // to the pool, or closed when not reusable
    raw = std::move(out.response);
    a.kind = Attempt::Kind::response;
    a.status = raw->response.status;
    if (a.status == 429) {
        a.asked_wait = throttle_wait(raw->retry_after, raw->ratelimit_reset, raw->x_ratelimit_reset,
                                     std::chrono::system_clock::now());
    }
    a.location = raw->location;
    co_return a;
}

asio::awaitable<HttpResult> run_get(std::shared_ptr<Impl> self, GetRequest req, Clock::time_point deadline) {
    RequestSpec spec;
    WipeRequest wipe_request{req, spec};
    auto fail = [&req](NetError e) -> HttpResult {
        e.message = redact(std::move(e.message), req.secret);
        return e;
    };
    if (!self->tls.has_value()) {
        co_return fail({NetErrorKind::tls, self->tls.error(), {}});
    }
    auto proxy = choose_proxy(self->opt.proxy_url, self->opt.proxy_env, req.server.host, req.server.port);
    if (!proxy.has_value()) {
        co_return fail({NetErrorKind::unreachable, proxy.error(), {}});
    }

    spec.headers = req.headers;
    spec.headers.push_back({"User-Agent", self->opt.user_agent});
    spec.body_limit = self->opt.max_response_bytes;

    Pool& pool = self->pool(req.server);
    AttemptLimits limits{self->opt.max_retries, self->opt.max_connections_per_host + 1, self->opt.backoff,
                         self->opt.default_throttle};
    AttemptPolicy policy(req.server, req.target, limits, deadline);
    std::optional<HttpResponse> fallback;  // the answer if no later attempt gets one
    auto jitter = [&] { return std::uniform_real_distribution<double>(0.0, 1.0)(self->rng); };

    try {
        while (true) {
            if (Clock::now() >= deadline) {
                co_return fallback ? std::move(*fallback)
                                   : fail({NetErrorKind::timeout,
                                           "deadline passed before " + req.server.authority() + " answered",
                                           {}});
            }
            if (auto e = co_await wait_throttle(pool, req.server, deadline)) {
                co_return fail(std::move(*e));
            }
            spec.target = policy.target();
            std::optional<RawResponse> raw;
            auto outcome = co_await attempt_once(self, pool, req, proxy.value(), spec, deadline, raw);
            if (auto* e = std::get_if<NetError>(&outcome)) {
                co_return fail(std::move(*e));
            }
            const Attempt& a = std::get<Attempt>(outcome);
            const Step step = policy.next(a, Clock::now(), jitter());
            if (step.counts) {
                self->attempted(a.kind == Attempt::Kind::response ? a.status : 0u, req.secret_name);
            }
            if (step.throttle_host.count() > 0) {
                pool.throttled_until = std::max(pool.throttled_until, Clock::now() + step.throttle_host);
                raw->response.retry_after = step.throttle_host;
            }
            switch (step.action) {
                case Step::Action::retry_now:
                case Step::Action::follow: continue;
                case Step::Action::throttle:  // wait_throttle does the waiting, with everyone else
                    fallback = std::move(raw->response);
                    continue;
                case Step::Action::retry_after:
                    if (step.fallback) {
                        fallback = std::move(raw->response);
                    }
                    if (!co_await sleep_until(Clock::now() + step.wait)) {
                        co_return fail(cancelled_error());
                    }
                    continue;
                case Step::Action::answer: co_return std::move(raw->response);
                case Step::Action::fail: co_return fail(step.error);
            }
        }
    } catch (const boost::system::system_error& e) {
        // co_await throws operation_aborted once the caller's slot has fired.
        if (e.code() == asio::error::operation_aborted) {
            co_return fail(cancelled_error());
        }
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
    if (it == impl_->pools.end()) {
        return s;
    }
    const Pool& p = it->second;
    s.open = p.open;
    s.idle = static_cast<unsigned>(p.idle.size());
    s.waiting = static_cast<unsigned>(p.waiters.size());
    const auto now = Clock::now();
    if (p.throttled_until > now) {
        s.throttled_for = duration_cast<milliseconds>(p.throttled_until - now);
    }
    return s;
}

asio::awaitable<void> HttpClient::prewarm(Endpoint server, Clock::time_point deadline) {
    auto self = impl_;  // the client may go away meanwhile: the shared state may not
    if (!self->tls.has_value()) {
        co_return;
    }
    auto proxy = choose_proxy(self->opt.proxy_url, self->opt.proxy_env, server.host, server.port);
    if (!proxy.has_value()) {
        co_return;
    }
    Pool& pool = self->pool(server);
    if (pool.open > 0) {
        co_return;  // a connection exists or is being made: nothing to warm
    }
    try {
        Lease lease;
        if (auto e = co_await acquire(self, pool, server, deadline, lease)) {
            co_return;
        }
        if (!lease.conn) {
            if (auto err = co_await open_connection(self, lease, server, proxy.value(), deadline)) {
                lease.conn.reset();  // silent: the first request connects as it would have
            }
        }
    } catch (const boost::system::system_error&) {
        // cancelled or failed: nothing was changed
    }
}

const HttpClientOptions& HttpClient::options() const noexcept { return impl_->opt; }

void HttpClient::close_idle() {
    for (auto& [key, p] : impl_->pools) {
        p.open -= static_cast<unsigned>(p.idle.size());
        p.idle.clear();
    }
}

}  // namespace tjc::net
