// Card 8: one clear card per kind of failure. Never a stack trace, never a token.
#pragma once

#include "cards/failure.hpp"
#include "cards/result.hpp"
#include "mapping/resolve.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace tjc::cards {

// detail: a short upstream message (already free of secrets), may be empty.
Card error_card(FailureKind kind, const mapping::ProjectTarget& project, std::string_view app_url,
                std::string_view detail);

// A card of one part that could not be fetched (a pipelines page, insights, deploys): what
// failed and why, linked to the project; the project's other cards stand beside it.
// label: what the card would have shown, e.g. "CircleCI main", "Insights", "Deploys".
Card part_failure_card(std::string_view label, std::string_view what, const PartFailure& failure,
                       const mapping::ProjectTarget& project, std::string_view app_url);

// Put in front of last good cards when a refresh failed: what happened, and their age.
Card stale_note_card(FailureKind kind, const mapping::ProjectTarget& project, std::chrono::milliseconds age);

// Put in front of stale cards served while their refresh runs (stale-while-revalidate).
Card refreshing_note_card(std::chrono::milliseconds age);

}  // namespace tjc::cards
