// The scenario a test server serves: one JSON file (format in tests/support/README.md).
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <string>

namespace tjc::testing {

struct World {
    boost::json::object root;  // {"time_base", "me", "projects": {slug: {...}}}

    const boost::json::object* project(const std::string& slug) const;  // nullptr if unknown
    // The same, comparing slugs without case (ASCII).
    const boost::json::object* project_ignoring_case(const std::string& slug) const;
    const boost::json::object& projects() const;
};

// Reads and checks the file; with shift_times every timestamp moves by (now - time_base).
// Throws std::runtime_error naming the file on any problem.
World load_world(const std::string& path, bool shift_times,
                 std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace tjc::testing
