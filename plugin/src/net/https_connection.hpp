// One TLS connection to one server (optionally through an HTTP CONNECT proxy), able to carry
// many HTTP/1.1 requests one after another. The only interface to the Beast + OpenSSL code,
// which stays in https_connection.cpp. Used by HttpClient's pool; not thread-safe: every call
// runs on the executor the connection was made with.
#pragma once

#include "net/http_types.hpp"
#include "net/proxy.hpp"
#include "tjc/expected.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tjc::net {

// The OpenSSL client context of a set of TLS settings: peer verification on, TLS 1.2 minimum,
// the system trust store and/or extra PEM anchors. Loading the system store takes about 20 ms,
// so one context serves every connection, client, instance and reload of the process that
// has the same settings.
class TlsContext {
public:
    // A new context (loads the trust anchors now).
    static Expected<std::shared_ptr<TlsContext>> create(bool use_system_trust, const std::string& ca_file);
    // The process's context for these settings, made on first use and shared while anyone
    // holds it; a ca_file that changed on disk (size or time) gets a new one. [any-thread]
    static Expected<std::shared_ptr<TlsContext>> shared(bool use_system_trust, const std::string& ca_file);
    // Contexts made by this process so far (each loads its trust anchors once). [any-thread]
    static std::size_t made();
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;
    struct Impl;
    Impl& impl() { return *impl_; }

private:
    explicit TlsContext(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

struct ConnectionTarget {
    std::string host;  // verified against the certificate and sent as SNI (unless an IP literal)
    std::uint16_t port = 443;
    std::optional<ProxyRoute> proxy;
};

// Everything of a response the client acts on.
struct RawResponse {
    HttpResponse response;
    std::string location;           // Location
    std::string retry_after;        // Retry-After
    std::string ratelimit_reset;    // RateLimit-Reset
    std::string x_ratelimit_reset;  // X-RateLimit-Reset
};

struct ExchangeOutcome {
    std::optional<RawResponse> response;  // set on success
    std::optional<NetError> error;        // set on failure
    bool received_any = false;            // false: no byte of an answer arrived
};

struct RequestSpec {
    std::string target;  // origin form: "/api/v2/me?x=y"
    std::vector<Header> headers;
    std::uint64_t body_limit = 4u << 20;
};

class HttpsConnection {
public:
    HttpsConnection(boost::asio::any_io_executor ex, std::shared_ptr<TlsContext> tls, ConnectionTarget target);
    ~HttpsConnection();  // closes the socket (no TLS close_notify: nothing waits for it)
    HttpsConnection(const HttpsConnection&) = delete;
    HttpsConnection& operator=(const HttpsConnection&) = delete;

    // Resolve, TCP connect (and CONNECT through the proxy) by connect_deadline, then the TLS
    // handshake within handshake_timeout of its start, never past deadline. Cancelling the awaiting coroutine (its cancellation
    // slot) or passing a deadline closes the socket at once; the connection is then dead.
    // *this must outlive the awaitable.
    boost::asio::awaitable<std::optional<NetError>> connect(Clock::time_point connect_deadline,
                                                            Clock::duration handshake_timeout,
                                                            Clock::time_point deadline);

    // Writes one GET and reads its response by deadline, the body capped at spec.body_limit.
    // Same cancellation rules as connect(). On success reusable() says whether the
    // connection may carry another request.
    boost::asio::awaitable<ExchangeOutcome> exchange(const RequestSpec& spec, Clock::time_point deadline);

    [[nodiscard]] bool reusable() const noexcept;
    [[nodiscard]] Clock::time_point last_used() const noexcept;
    void close() noexcept;

    struct Impl;  // defined in https_connection.cpp, where the I/O helpers use it

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace tjc::net
