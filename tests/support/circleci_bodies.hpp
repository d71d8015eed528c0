// What the CircleCI parser tests share (tests/unit/circleci_*_test.cpp): where the bodies
// live, expectations on a parse, and spec-shaped bodies with one field changed.
#pragma once

#include "circleci/parse.hpp"

#include <doctest/doctest.h>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tjtest::circleci_bodies {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono;
using tjc::circleci::Timestamp;
inline const fs::path kData = fs::path(TJC_TEST_DATA_DIR) / "circleci";
inline const fs::path kExamples = kData / "examples";
inline const fs::path kWorld = fs::path(TJC_FIXTURES_DIR) / "world.json";

inline std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline Timestamp utc(year_month_day ymd, hours h = hours{0}, minutes m = minutes{0}, seconds s = seconds{0},
                     milliseconds ms = milliseconds{0}) {
    return Timestamp{sys_days{ymd}} + h + m + s + ms;
}

// The first error of a parse that must fail.
template <typename T>
inline std::string error_of(const tjc::Expected<T>& r) {
    REQUIRE_FALSE(r.has_value());
    return r.error();
}

// The value of a parse that must succeed (by value: the Expected is usually a temporary).
template <typename T>
T ok(tjc::Expected<T> r) {
    REQUIRE_MESSAGE(r.has_value(), (r.has_value() ? std::string() : r.error()));
    return std::move(r).value();
}

// A minimal valid pipeline object, as text, with one field replaced (or removed when value is "").
inline std::string pipeline_with(const std::string& key, const std::string& value) {
    json::object o = json::parse(R"({
        "id": "03fcbba0-d847-4c8b-a553-6fdd7854b893", "errors": [], "project_slug": "gh/acme/webshop",
        "number": 12, "state": "created", "created_at": "2026-01-01T10:00:00Z",
        "trigger": {"type": "webhook", "received_at": "2026-01-01T09:59:59Z",
                    "actor": {"login": "mhernandez", "avatar_url": null}},
        "vcs": {"provider_name": "GitHub", "origin_repository_url": "https://github.com/acme/webshop",
                "target_repository_url": "https://github.com/acme/webshop",
                "revision": "9f2c4e1a7b3d5f60812c4a9e0d7b6c5a4f3e2d1c", "branch": "main",
                "commit": {"subject": "Fix it", "body": null}}
    })")
                         .as_object();
    if (value.empty()) {
        o.erase(key);
    } else {
        o[key] = json::parse(value);
    }
    return json::serialize(o);
}

inline std::string page_of(const std::string& item) { return R"({"next_page_token": null, "items": [)" + item + "]}"; }

}  // namespace tjtest::circleci_bodies
