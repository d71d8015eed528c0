// All of the plugin's Beast + OpenSSL code. Every I/O step runs beside a watchdog (a timer in
// a parallel group): when the step's deadline passes or the caller cancels, the watchdog
// closes the socket, so the pending operation ends at once whatever it supports itself.
#include "net/https_connection.hpp"

#include "net/response_reader.hpp"
#include "tjc/mutex.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <sys/stat.h>

#include <atomic>
#include <map>

namespace tjc::net {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// ---- TLS context -------------------------------------------------------------------------

struct TlsContext::Impl {
    ssl::context ctx{ssl::context::tls_client};
};

TlsContext::TlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsContext::~TlsContext() = default;

namespace {
std::atomic<std::size_t> contexts_made{0};
// TlsContext::shared's contexts, one per TLS settings, alive while an instance holds one.
Mutex g_tls_contexts_mutex;
std::map<std::string, std::weak_ptr<TlsContext>> g_tls_contexts TJC_GUARDED_BY(g_tls_contexts_mutex);
}  // namespace

std::size_t TlsContext::made() { return contexts_made.load(); }

Expected<std::shared_ptr<TlsContext>> TlsContext::create(bool use_system_trust, const std::string& ca_file) {
    ++contexts_made;
    auto impl = std::make_unique<Impl>();
    auto& ctx = impl->ctx;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1) {
        return Error{"TLS: cannot require TLS 1.2"};
    }
    ctx.set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (use_system_trust) {
        ctx.set_default_verify_paths(ec);
        if (ec && ca_file.empty()) {
            return Error{"TLS: cannot load the system trust store: " + ec.message()};
        }
    }
    if (!ca_file.empty()) {
        ctx.load_verify_file(ca_file, ec);
        if (ec) {
            return Error{"TLS: cannot load tls.ca_file '" + ca_file + "': " + ec.message()};
        }
    }
    return std::shared_ptr<TlsContext>(new TlsContext(std::move(impl)));
}

Expected<std::shared_ptr<TlsContext>> TlsContext::shared(bool use_system_trust, const std::string& ca_file) {
    // The key: the settings and, for a CA file, what is on disk now.
    std::string key = use_system_trust ? "system\n" : "none\n";
    if (!ca_file.empty()) {
        struct stat st {};
        key += ca_file;
        if (::stat(ca_file.c_str(), &st) == 0) {
            key += "\n" + std::to_string(st.st_size) + "\n" + std::to_string(st.st_mtim.tv_sec) + "." +
                   std::to_string(st.st_mtim.tv_nsec);
        }
    }
    MutexLock lock(g_tls_contexts_mutex);
    if (auto alive = g_tls_contexts[key].lock()) {
        return alive;
    }
    auto made = create(use_system_trust, ca_file);
    if (made.has_value()) {
        g_tls_contexts[key] = made.value();
    }
    std::erase_if(g_tls_contexts, [](const auto& kv) { return kv.second.expired(); });
    return made;
}

// ---- connection state ----------------------------------------------------------------------

struct HttpsConnection::Impl {
    Impl(asio::any_io_executor ex_, std::shared_ptr<TlsContext> tls_, ConnectionTarget target_)
        : ex(ex_), tls(std::move(tls_)), target(std::move(target_)), resolver(ex_), stream(ex_, tls->impl().ctx) {}

    asio::any_io_executor ex;
    std::shared_ptr<TlsContext> tls;  // the ssl::context must outlive the stream
    ConnectionTarget target;
    tcp::resolver resolver;
    ssl::stream<tcp::socket> stream;
    beast::flat_buffer buffer;
    bool reusable = false;
    bool host_mismatch = false;
    Clock::time_point last_used = Clock::now();

    std::string where() const {
        const bool v6 = target.host.find(':') != std::string::npos;
        return (v6 ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
    }

    void abort() noexcept {
        reusable = false;
        resolver.cancel();
        error_code ignored;
        stream.lowest_layer().close(ignored);
    }
};

namespace {

enum class Stop { none, timeout, cancelled };

// Runs op; a watchdog closes the connection when deadline passes or the caller's
// cancellation slot fires (the parallel group forwards it to both children).
asio::awaitable<std::pair<Stop, error_code>> guarded(HttpsConnection::Impl& c, Clock::time_point deadline,
                                                     asio::awaitable<error_code> op) {
    auto ex = co_await asio::this_coro::executor;
    bool done = false;
    Stop stop = Stop::none;
    asio::steady_timer timer(ex, deadline);

    auto run = [&done](asio::awaitable<error_code> o) -> asio::awaitable<error_code> {
        error_code ec;
        try {
            ec = co_await std::move(o);
        } catch (const boost::system::system_error& e) {
            ec = e.code();
        }
        done = true;
        co_return ec;
    };
    auto dog = [&]() -> asio::awaitable<void> {
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (done) {
            co_return;
        }
        stop = ec ? Stop::cancelled : Stop::timeout;
        c.abort();
    };

    auto [order, ex0, result, ex1] =
        co_await asio::experimental::make_parallel_group(asio::co_spawn(ex, run(std::move(op)), asio::deferred),
                                                         asio::co_spawn(ex, dog(), asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    (void)order;
    (void)ex1;
    if (ex0) {
        result = asio::error::operation_aborted;
    }
    co_return std::pair{stop, result};
}

bool is_ip_literal(const std::string& host) {
    error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

std::string base64(const std::string& in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

NetError stopped(Stop s, const std::string& what) {
    if (s == Stop::cancelled) {
        return {NetErrorKind::cancelled, "cancelled while " + what, {}};
    }
    return {NetErrorKind::timeout, "timed out " + what, {}};
}

// TCP connect to (host, port): IP literals skip the resolver (and its helper thread).
asio::awaitable<error_code> tcp_connect(HttpsConnection::Impl& c, std::string host, std::uint16_t port,
                                        std::string& phase) {
    error_code ec;
    if (is_ip_literal(host)) {
        phase = "connecting to";
        const tcp::endpoint ep(asio::ip::make_address(host), port);
        std::tie(ec) = co_await c.stream.next_layer().async_connect(ep, asio::as_tuple(asio::use_awaitable));
        co_return ec;
    }
    phase = "resolving";
    auto [rec, results] =
        co_await c.resolver.async_resolve(host, std::to_string(port), asio::as_tuple(asio::use_awaitable));
    if (rec) {
        co_return rec;
    }
    phase = "connecting to";
    auto [cec, ep] = co_await asio::async_connect(c.stream.next_layer(), results, asio::as_tuple(asio::use_awaitable));
    (void)ep;
    co_return cec;
}

// HTTP CONNECT through the proxy; on success the socket is a tunnel to the target.
asio::awaitable<error_code> proxy_connect(HttpsConnection::Impl& c, unsigned& proxy_status) {
    const std::string authority = c.where();
    http::request<http::empty_body> req{http::verb::connect, authority, 11};
    req.set(http::field::host, authority);
    if (!c.target.proxy->user_pass.empty()) {
        req.set(http::field::proxy_authorization, "Basic " + base64(c.target.proxy->user_pass));
    }
    auto [wec, wn] = co_await http::async_write(c.stream.next_layer(), req, asio::as_tuple(asio::use_awaitable));
    (void)wn;
    if (wec) {
        co_return wec;
    }
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body: the tunnel starts right after it
    auto [rec, rn] =
        co_await http::async_read(c.stream.next_layer(), c.buffer, parser, asio::as_tuple(asio::use_awaitable));
    (void)rn;
    if (rec) {
        co_return rec;
    }
    proxy_status = parser.get().result_int();
    c.buffer.consume(c.buffer.size());
    co_return error_code{};
}

asio::awaitable<error_code> tls_handshake(HttpsConnection::Impl& c) {
    const std::string& host = c.target.host;
    if (!is_ip_literal(host) && SSL_set_tlsext_host_name(c.stream.native_handle(), host.c_str()) != 1) {
        co_return error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    }
    c.stream.set_verify_callback(
        [&c, check = ssl::host_name_verification(host)](bool preverified, ssl::verify_context& ctx) {
            const bool ok = check(preverified, ctx);
            if (preverified && !ok) {
                c.host_mismatch = true;
            }
            return ok;
        });
    auto [ec] = co_await c.stream.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    co_return ec;
}

struct ReadState {
    http::response_parser<http::string_body> parser;
    bool wrote = false;
};

asio::awaitable<error_code> write_and_read(HttpsConnection::Impl& c, const RequestSpec& spec, ReadState& st) {
    http::request<http::empty_body> req{http::verb::get, spec.target, 11};
    // Beast's copy of the header block (the token's header among it) is wiped once written.
    struct WipeFields {
        http::fields& fields;
        ~WipeFields() {
            for (auto& f : fields) {
                OPENSSL_cleanse(const_cast<char*>(f.value().data()), f.value().size());
            }
        }
    } wipe_fields{req};
    req.set(http::field::host, c.target.port == 443 ? c.target.host : c.where());
    for (const auto& h : spec.headers) {
        req.set(h.name, h.value);
    }
    req.keep_alive(true);
    auto [wec, wn] = co_await http::async_write(c.stream, req, asio::as_tuple(asio::use_awaitable));
    (void)wn;
    if (wec) {
        co_return wec;
    }
    st.wrote = true;
    const std::uint64_t body_limit = spec.body_limit;
    error_code ec = co_await read_response(c.stream, c.buffer, st.parser, body_limit);
    co_return ec;
}

std::string ms_between(Clock::time_point from, Clock::time_point to) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
    return std::to_string(ms < 0 ? 0 : ms) + " ms";
}

}  // namespace

// ---- HttpsConnection -------------------------------------------------------------------------

HttpsConnection::HttpsConnection(asio::any_io_executor ex, std::shared_ptr<TlsContext> tls, ConnectionTarget target)
    : impl_(std::make_unique<Impl>(std::move(ex), std::move(tls), std::move(target))) {}

HttpsConnection::~HttpsConnection() { close(); }

bool HttpsConnection::reusable() const noexcept { return impl_->reusable && impl_->stream.lowest_layer().is_open(); }
Clock::time_point HttpsConnection::last_used() const noexcept { return impl_->last_used; }
void HttpsConnection::close() noexcept { impl_->abort(); }

asio::awaitable<std::optional<NetError>> HttpsConnection::connect(Clock::time_point connect_deadline,
                                                                  Clock::duration handshake_timeout,
                                                                  Clock::time_point deadline) {
    Impl& c = *impl_;
    const auto started = Clock::now();
    const bool via_proxy = c.target.proxy.has_value();
    const std::string host = via_proxy ? c.target.proxy->host : c.target.host;
    const std::uint16_t port = via_proxy ? c.target.proxy->port : c.target.port;
    const std::string hop = via_proxy ? "proxy " + host + ":" + std::to_string(port) : c.where();

    std::string phase = "connecting to";
    auto [stop, ec] = co_await guarded(c, connect_deadline, tcp_connect(c, host, port, phase));
    if (stop != Stop::none) {
        co_return stopped(stop, phase + " " + hop + " (after " + ms_between(started, Clock::now()) + ")");
    }
    if (ec) {
        co_return NetError{NetErrorKind::unreachable,
                           phase == "resolving" ? "cannot resolve " + host + ": " + ec.message()
                                                : "cannot connect to " + hop + ": " + ec.message(),
                           {}};
    }
    if (via_proxy) {
        unsigned status = 0;
        auto [pstop, pec] = co_await guarded(c, connect_deadline, proxy_connect(c, status));
        if (pstop != Stop::none) {
            co_return stopped(pstop, "waiting for " + hop + " to open a tunnel to " + c.where());
        }
        if (pec) {
            co_return NetError{NetErrorKind::unreachable, hop + " failed during CONNECT: " + pec.message(), {}};
        }
        if (status / 100 != 2) {
            co_return NetError{NetErrorKind::unreachable,
                               hop + " answered " + std::to_string(status) + " to CONNECT " + c.where(),
                               {}};
        }
    }

    const auto hs_started = Clock::now();
    auto [hstop, hec] = co_await guarded(c, std::min(deadline, hs_started + handshake_timeout), tls_handshake(c));
    if (hstop != Stop::none) {
        co_return stopped(
            hstop, "in the TLS handshake with " + c.where() + " (after " + ms_between(hs_started, Clock::now()) + ")");
    }
    if (hec) {
        c.abort();
        if (c.host_mismatch) {
            co_return NetError{NetErrorKind::tls,
                               "TLS: the certificate of " + c.where() + " is not valid for host " + c.target.host,
                               {}};
        }
        const long vr = SSL_get_verify_result(c.stream.native_handle());
        if (vr != X509_V_OK) {
            co_return NetError{NetErrorKind::tls,
                               "TLS: certificate of " + c.where() + " rejected: " + X509_verify_cert_error_string(vr),
                               {}};
        }
        if (hec.category() != asio::error::get_ssl_category() && is_connection_loss(hec)) {
            co_return NetError{
                NetErrorKind::unreachable, c.where() + " closed the connection during the TLS handshake", {}};
        }
        co_return NetError{NetErrorKind::tls, "TLS handshake with " + c.where() + " failed: " + hec.message(), {}};
    }
    c.reusable = true;
    c.last_used = Clock::now();
    co_return std::nullopt;
}

asio::awaitable<ExchangeOutcome> HttpsConnection::exchange(const RequestSpec& spec, Clock::time_point deadline) {
    Impl& c = *impl_;
    c.reusable = false;  // until a whole response has been read
    const auto started = Clock::now();
    ReadState st;
    auto [stop, ec] = co_await guarded(c, deadline, write_and_read(c, spec, st));
    ExchangeOutcome out;
    out.received_any = st.parser.got_some() || c.buffer.size() > 0;
    c.last_used = Clock::now();
    if (stop != Stop::none) {
        out.error =
            stopped(stop, "waiting for " + c.where() + " to answer (after " + ms_between(started, Clock::now()) + ")");
        co_return out;
    }
    if (ec) {
        c.abort();
        out.error = read_error(ec, c.where(), out.received_any, spec.body_limit);
        co_return out;
    }

    out.response = take_response(st.parser, c.buffer.size(), c.reusable);
    if (!c.reusable) {
        c.abort();
    }
    co_return out;
}

}  // namespace tjc::net
