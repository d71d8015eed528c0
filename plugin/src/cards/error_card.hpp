// Card 8: one clear card per kind of failure. Never a stack trace, never a token.
#pragma once

#include "cards/result.hpp"
#include "mapping/resolve.hpp"

#include <chrono>
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

// detail: a short upstream message (already free of secrets), may be empty.
Card error_card(FailureKind kind, const mapping::ProjectTarget& project, std::string_view app_url,
                std::string_view detail);

// Put in front of last good cards when a refresh failed: what happened, and their age.
Card stale_note_card(FailureKind kind, const mapping::ProjectTarget& project, std::chrono::milliseconds age);

// Put in front of stale cards served while their refresh runs (stale-while-revalidate).
Card refreshing_note_card(std::chrono::milliseconds age);

}  // namespace tjc::cards
