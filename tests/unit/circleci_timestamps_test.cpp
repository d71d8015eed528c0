// CircleCI API v2 parsers: RFC 3339 timestamps and enum names as the parsers read them.
#include "circleci/parse.hpp"
#include "circleci_bodies.hpp"

#include <doctest/doctest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>

using namespace tjc::circleci;
using namespace std::chrono;
using namespace tjtest::circleci_bodies;
namespace json = boost::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Timestamps

TEST_CASE("parse_timestamp: UTC with Z") {
    auto t = parse_timestamp("2026-01-01T12:00:00Z");
    REQUIRE(t);
    CHECK(*t == utc(2026y / 1 / 1, hours{12}));
    CHECK(t->time_since_epoch().count() == 1767268800000LL);  // date -u -d 2026-01-01T12:00:00Z +%s
}

TEST_CASE("parse_timestamp: fractional seconds are truncated to milliseconds") {
    CHECK(*parse_timestamp("2020-01-10T19:45:58.517Z") ==
          utc(2020y / 1 / 10, hours{19}, minutes{45}, seconds{58}, milliseconds{517}));
    CHECK(*parse_timestamp("2020-01-10T19:45:58.5Z") ==
          utc(2020y / 1 / 10, hours{19}, minutes{45}, seconds{58}, milliseconds{500}));
    CHECK(*parse_timestamp("2020-01-10T19:45:58.123999999Z") ==
          utc(2020y / 1 / 10, hours{19}, minutes{45}, seconds{58}, milliseconds{123}));
    CHECK(*parse_timestamp("2020-01-10T19:45:58.04Z") ==
          utc(2020y / 1 / 10, hours{19}, minutes{45}, seconds{58}, milliseconds{40}));
}

TEST_CASE("parse_timestamp: numeric offsets give the same instant") {
    const auto z = parse_timestamp("2026-01-01T10:00:00Z");
    REQUIRE(z);
    CHECK(parse_timestamp("2026-01-01T12:00:00+02:00") == z);
    CHECK(parse_timestamp("2026-01-01T05:00:00-05:00") == z);
    CHECK(parse_timestamp("2026-01-01T15:30:00.000+05:30") == z);
    CHECK(parse_timestamp("2026-01-01T10:00:00+00:00") == z);
    CHECK(parse_timestamp("2026-01-01T10:00:00-00:00") == z);
    // An offset can cross midnight and a year boundary.
    CHECK(*parse_timestamp("2025-12-31T23:30:00-01:00") == utc(2026y / 1 / 1, hours{0}, minutes{30}));
    // RFC 3339 allows lower-case separators.
    CHECK(parse_timestamp("2026-01-01t10:00:00z") == z);
}

TEST_CASE("parse_timestamp: calendar validation") {
    CHECK(parse_timestamp("2024-02-29T00:00:00Z"));        // leap year
    CHECK_FALSE(parse_timestamp("2025-02-29T00:00:00Z"));  // not a leap year
    CHECK_FALSE(parse_timestamp("2026-04-31T00:00:00Z"));
    CHECK_FALSE(parse_timestamp("2026-00-10T00:00:00Z"));
    CHECK_FALSE(parse_timestamp("2026-13-10T00:00:00Z"));
    CHECK_FALSE(parse_timestamp("2026-01-00T00:00:00Z"));
    CHECK_FALSE(parse_timestamp("2026-01-01T24:00:00Z"));
    CHECK_FALSE(parse_timestamp("2026-01-01T12:60:00Z"));
    CHECK_FALSE(parse_timestamp("2026-01-01T12:00:61Z"));
    CHECK_FALSE(parse_timestamp("2026-01-01T12:00:00+24:00"));
    CHECK_FALSE(parse_timestamp("2026-01-01T12:00:00+02:60"));
}

TEST_CASE("parse_timestamp: a leap second rolls into the next minute") {
    CHECK(*parse_timestamp("2016-12-31T23:59:60Z") == utc(2017y / 1 / 1));
}

TEST_CASE("parse_timestamp: garbage is rejected") {
    for (const char* bad :
         {"", "yesterday", "2026-01-01", "2026-01-01T12:00:00", "2026-01-01T12:00Z", "2026-01-01 12:00:00Z",
          "2026-01-01T12:00:00.Z", "2026-01-01T12:00:00Z ", " 2026-01-01T12:00:00Z", "2026-01-01T12:00:00+0200",
          "2026-01-01T12:00:00+02", "2026-1-01T12:00:00Z", "+2026-01-01T12:00:00Z", "2026-01-01T12:00:00ZZ",
          "2026/01/01T12:00:00Z", "2026-01-01T12:00:00.12a4Z", "1767268800", "2026-01-01T12:00:00UTC",
          "2026-01-01T1a:00:00Z"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_timestamp(bad));
    }
}

TEST_CASE("format_timestamp writes UTC milliseconds and round-trips") {
    const auto t = utc(2026y / 1 / 1, hours{9}, minutes{7}, seconds{5}, milliseconds{42});
    CHECK(format_timestamp(t) == "2026-01-01T09:07:05.042Z");
    CHECK(parse_timestamp(format_timestamp(t)) == t);
    const auto old = utc(1969y / 12 / 31, hours{23}, minutes{59}, seconds{59}, milliseconds{999});
    CHECK(format_timestamp(old) == "1969-12-31T23:59:59.999Z");
    CHECK(parse_timestamp(format_timestamp(old)) == old);
}

TEST_CASE("enum names round-trip and unknown strings map to unknown") {
    for (auto s :
         {"success", "running", "not_run", "failed", "error", "failing", "on_hold", "canceled", "unauthorized"}) {
        CHECK(to_string(workflow_status_from_string(s)) == s);
    }
    for (auto s : {"success", "running", "not_run", "failed", "retried", "queued", "not_running", "infrastructure_fail",
                   "timedout", "on_hold", "terminated-unknown", "blocked", "canceled", "unauthorized"}) {
        CHECK(to_string(job_status_from_string(s)) == s);
    }
    for (auto s : {"created", "errored", "setup-pending", "setup", "pending"}) {
        CHECK(to_string(pipeline_state_from_string(s)) == s);
    }
    CHECK(workflow_status_from_string("Success") == WorkflowStatus::unknown);  // case matters
    CHECK(job_status_from_string("") == JobStatus::unknown);
    CHECK(pipeline_state_from_string("setup_pending") == PipelineState::unknown);
    CHECK(job_type_from_string("approval") == JobType::approval);
    CHECK(to_string(WorkflowStatus::unknown) == "unknown");
}
