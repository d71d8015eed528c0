// What went wrong with a CircleCI API call, in kinds the cards can act on, and the result type
// of every client call. No I/O types here: the cards stage includes it freely.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

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
};

// A value or an ApiError (the std::expected subset we use).
template <typename T>
class ApiResult {
public:
    // co_spawn hands a default-constructed result to its handler when the call threw.
    ApiResult() : v_(std::in_place_index<1>, ApiError{ApiErrorKind::bad_response, 0, "no result", {}}) {}
    ApiResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}         // NOLINT: implicit by design
    ApiResult(ApiError error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] T& value() & { return std::get<0>(v_); }
    [[nodiscard]] const T& value() const& { return std::get<0>(v_); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(v_)); }
    [[nodiscard]] const ApiError& error() const { return std::get<1>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, ApiError> v_;
};

}  // namespace tjc::circleci
