// Moves a fixture world's RFC 3339 timestamps so that "2 hours ago" in the fixture is
// "2 hours ago" now: with shift_times the server adds (now - time_base) to each of them.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tjc::testing {

using SysSeconds = std::chrono::sys_seconds;

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" -> UTC seconds (fraction dropped);
// nullopt for anything else, so ordinary strings are left alone.
std::optional<SysSeconds> parse_rfc3339(std::string_view text);

// The timestamp moved by `by`, written in UTC ("Z") with the original fraction kept;
// nullopt if `text` is not a timestamp.
std::optional<std::string> shift_rfc3339(std::string_view text, std::chrono::seconds by);

// Shifts every timestamp string inside `value` (objects and arrays, recursively).
void shift_timestamps(boost::json::value& value, std::chrono::seconds by);

}  // namespace tjc::testing
