// Card 8: one clear card per kind of failure. Never a stack trace, never a token.
#pragma once

#include "cards/failure.hpp"
#include "cards/result.hpp"
#include "mapping/resolve.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace tjc::cards {

// detail: a short upstream message (already free of secrets), may be empty. A not_found under
// a convention (mapping::is_convention) is no_project_card(): neutral, not an error.
Card error_card(FailureKind kind, const mapping::ProjectTarget& project, std::string_view app_url,
                std::string_view detail);

// A card of one part that could not be fetched (a pipelines page, insights, deploys): what
// failed and why, linked to the project; the project's other cards stand beside it.
// label: what the card would have shown, e.g. "CircleCI main", "Insights", "Deploys".
Card part_failure_card(std::string_view label, std::string_view what, const PartFailure& failure,
                       const mapping::ProjectTarget& project, std::string_view app_url);

// A convention's slug that CircleCI does not know (404): one neutral text card saying so. The
// plan may instead show nothing for it (and remember that); either way it is never red.
Card no_project_card(const mapping::ProjectTarget& project);

// Put in front of last good cards when a refresh failed: what happened, and their age.
Card stale_note_card(FailureKind kind, const mapping::ProjectTarget& project, std::chrono::milliseconds age);

// Put in front of stale cards served while their refresh runs (stale-while-revalidate).
Card refreshing_note_card(std::chrono::milliseconds age);

}  // namespace tjc::cards
