// Plain data that crosses the net layer's interface: what a request asks for, what came back,
// and why a request failed. No Beast, no Asio: every stage above the client can include this.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tjc::net {

using Clock = std::chrono::steady_clock;

// scheme://host:port of a server plus the path prefix every target starts with.
struct Endpoint {
    std::string scheme;  // "https" (the only scheme the client speaks)
    std::string host;    // lower-case; IPv6 without brackets
    std::uint16_t port = 443;
    std::string base_path;  // e.g. "/api/v2", no trailing slash

    // "host:port", the key of the connection pool and the throttle.
    [[nodiscard]] std::string authority() const;
};

struct Header {
    std::string name;
    std::string value;
};

struct HttpResponse {
    unsigned status = 0;
    std::string content_type;  // the Content-Type header as sent ("" when absent)
    std::string body;
    // When the server asked us to wait (Retry-After / RateLimit-Reset), parsed.
    std::optional<std::chrono::seconds> retry_after;
};

// Why no usable HTTP response arrived. HTTP statuses (401, 404, 5xx after retries) are not
// errors at this level: they come back as an HttpResponse.
enum class NetErrorKind {
    unreachable,   // DNS, connect, proxy, reset: no answer from the server
    tls,           // handshake, certificate, host-name verification
    timeout,       // a step deadline or the caller's deadline passed
    cancelled,     // the caller's cancellation slot fired
    rate_limited,  // the host is throttled past the caller's deadline
    bad_response,  // malformed HTTP, body over the size cap, refused redirect
};

struct NetError {
    NetErrorKind kind = NetErrorKind::unreachable;
    std::string message;                              // one line; never holds the token
    std::optional<std::chrono::seconds> retry_after;  // set for rate_limited
};

[[nodiscard]] const char* to_string(NetErrorKind kind) noexcept;

// A response or the reason there is none.
class HttpResult {
public:
    // co_spawn hands a default-constructed result to its handler when the call threw.
    HttpResult() : v_(NetError{NetErrorKind::bad_response, "no result", {}}) {}
    HttpResult(HttpResponse r) : v_(std::move(r)) {}  // NOLINT: implicit by design
    HttpResult(NetError e) : v_(std::move(e)) {}      // NOLINT
    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    [[nodiscard]] HttpResponse& value() { return std::get<0>(v_); }
    [[nodiscard]] const HttpResponse& value() const { return std::get<0>(v_); }
    [[nodiscard]] const NetError& error() const { return std::get<1>(v_); }

private:
    std::variant<HttpResponse, NetError> v_;
};

}  // namespace tjc::net
