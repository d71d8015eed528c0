// ToolJump's merge of its integrations' results into the /context answer (docs/tooljump-contract.md
// section 5): integrations ordered by manifest priority (higher first; ties keep the order
// they were loaded in), their cards concatenated, a failed integration shown as one text card
// `<name>: <message>` with status important. Pure.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tjhost {

struct IntegrationOutcome {
    enum class Kind { ok, cached, failed, timeout };
    std::string name;
    std::int64_t priority = 100;
    std::size_t order = 0;  // load order, for ties
    Kind kind = Kind::ok;
    boost::json::array results;  // ok / cached
    std::string error;           // failed / timeout: the message after "<name>: "
};

// {"data","count","cacheHits","failedCount","timestamp","integrationNames"}.
boost::json::object merge_outcomes(std::vector<IntegrationOutcome> outcomes, const std::string& timestamp);

// The card ToolJump shows for a failed integration.
boost::json::object error_card(const std::string& integration, const std::string& message);

// "2026-11-28T12:00:00.123Z", as JavaScript's Date.toISOString() writes it.
std::string iso8601_utc(std::chrono::system_clock::time_point t);

// Outcome kinds as metric label values: ok, cached, failed, timeout.
const char* outcome_label(IntegrationOutcome::Kind k);

}  // namespace tjhost
