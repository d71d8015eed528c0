// What went wrong with a CircleCI API call, in kinds the cards can act on, and the result type
// of every client call. No I/O types here: the cards stage includes it freely.
#pragma once

#include "tjc/expected.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tjc::circleci {

enum class ApiErrorKind {
    no_token,      // no (usable) token was given: nothing was sent
    unauthorized,  // 401: bad token, or a project token (API v2 takes personal tokens only)
    forbidden,     // 403: the token's user may not see this
    not_found,     // 404: no such project/pipeline/workflow, or invisible to the token
    rate_limited,  // 429, or the host is throttled past the deadline; see retry_after
    unreachable,   // DNS, connect, proxy, reset
    tls,           // certificate or handshake
    timeout,       // a deadline passed
    cancelled,     // the caller cancelled
    bad_response,  // not JSON, malformed, too large, unexpected shape, refused redirect, other 4xx
    server_error,  // 5xx after the retries
};

constexpr std::string_view to_string(ApiErrorKind k) noexcept {
    switch (k) {
        case ApiErrorKind::no_token: return "no_token";
        case ApiErrorKind::unauthorized: return "unauthorized";
        case ApiErrorKind::forbidden: return "forbidden";
        case ApiErrorKind::not_found: return "not_found";
        case ApiErrorKind::rate_limited: return "rate_limited";
        case ApiErrorKind::unreachable: return "unreachable";
        case ApiErrorKind::tls: return "tls";
        case ApiErrorKind::timeout: return "timeout";
        case ApiErrorKind::cancelled: return "cancelled";
        case ApiErrorKind::bad_response: return "bad_response";
        case ApiErrorKind::server_error: return "server_error";
    }
    return "unknown";
}

struct ApiError {
    ApiErrorKind kind = ApiErrorKind::bad_response;
    int http_status = 0;                              // 0 when no HTTP status was involved
    std::string message;                              // one line, safe to show: never holds the token
    std::optional<std::chrono::seconds> retry_after;  // rate_limited: when to try again

    // What a default-constructed ApiResult holds (a call that threw before it answered).
    static ApiError no_result() { return {ApiErrorKind::bad_response, 0, "no result", {}}; }
};

// A value or an ApiError: the one result type with the API client's error.
template <typename T>
using ApiResult = Expected<T, ApiError>;

}  // namespace tjc::circleci
