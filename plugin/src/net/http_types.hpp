// Plain data that crosses the net layer's interface: what a request asks for, what came back,
// and why a request failed. No Beast, no Asio: every stage above the client can include this.
#pragma once

#include "tjc/expected.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
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

    // What a default-constructed HttpResult holds (a call that threw before it answered).
    static NetError no_result() { return {NetErrorKind::bad_response, "no result", {}}; }
};

[[nodiscard]] const char* to_string(NetErrorKind kind) noexcept;

// A response or the reason there is none: the one result type with the net layer's error.
using HttpResult = Expected<HttpResponse, NetError>;

}  // namespace tjc::net
