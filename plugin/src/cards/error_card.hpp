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

// detail: a short upstream message (already free of secrets), may be empty. A not_found under
// a convention (mapping::is_convention) is no_project_card(): neutral, not an error.
Card error_card(FailureKind kind, const mapping::ProjectTarget& project, std::string_view app_url,
                std::string_view detail);

// A convention's slug that CircleCI does not know (404): one neutral text card saying so. The
// plan may instead show nothing for it (and remember that); either way it is never red.
Card no_project_card(const mapping::ProjectTarget& project);

// Put in front of last good cards when a refresh failed: what happened, and their age.
Card stale_note_card(FailureKind kind, const mapping::ProjectTarget& project, std::chrono::milliseconds age);

// Put in front of stale cards served while their refresh runs (stale-while-revalidate).
Card refreshing_note_card(std::chrono::milliseconds age);

}  // namespace tjc::cards
