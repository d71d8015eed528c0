// Kinds of failure the cards name, and a failure of one part of a project's data. Pure.
#pragma once

#include <string>
#include <string_view>

namespace tjc::cards {

enum class FailureKind {
    no_token,        // the host has no value for the token secret
    token_rejected,  // 401
    forbidden,       // 403
    not_found,       // 404: project not found or not followed
    rate_limited,    // 429
    unreachable,     // connect, DNS, reset
    tls,             // certificate or TLS handshake refused: reachable, but not trusted
    timeout,         // the query's deadline passed
    bad_response,    // not JSON, too large, wrong shape
    server_error,    // 5xx after retries
};

std::string_view to_string(FailureKind kind) noexcept;

// What could not be fetched for one part (a pipelines page, a pipeline's workflows, insights):
// the cards of that part say so; the rest of the project's cards stand.
struct PartFailure {
    FailureKind kind = FailureKind::unreachable;
    std::string detail;  // one line from the client, never a token
};

}  // namespace tjc::cards
