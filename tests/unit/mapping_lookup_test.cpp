// The opt-in CircleCI lookup: reading GET /project/{slug} answers and caching them.
#include "mapping/slug_lookup.hpp"

#include <doctest/doctest.h>

#include <chrono>

using tjc::mapping::SlugCache;
using tjc::mapping::SlugLookup;

namespace {
const SlugLookup kLookup{"ORG1", "github.com", "AcmeApp", "Thing", "gh/AcmeApp/Thing"};
}

TEST_CASE("slug_from_project reads organization_id and id, and refuses other orgs") {
    auto ok = tjc::mapping::slug_from_project(
        R"({"slug":"gh/AcmeApp/Thing","name":"Thing","id":"PRJ9","organization_id":"ORG1"})", kLookup);
    REQUIRE(ok);
    CHECK(ok.value() == "circleci/ORG1/PRJ9");

    auto other = tjc::mapping::slug_from_project(R"({"id":"PRJ9","organization_id":"ORG2"})", kLookup);
    REQUIRE_FALSE(other);
    CHECK(other.error().find("another CircleCI organization") != std::string::npos);

    CHECK_FALSE(tjc::mapping::slug_from_project(R"({"message":"Project not found"})", kLookup));
    CHECK_FALSE(tjc::mapping::slug_from_project(R"({"id":"../x","organization_id":"ORG1"})", kLookup));
    CHECK_FALSE(tjc::mapping::slug_from_project("not json", kLookup));
    CHECK_FALSE(tjc::mapping::slug_from_project("[]", kLookup));
}

TEST_CASE("SlugCache answers lookups until the ttl, without case, and fills resolutions") {
    using namespace std::chrono_literals;
    SlugCache cache(60s, 2);
    const auto t0 = SlugCache::Clock::now();
    CHECK_FALSE(cache.get(kLookup, t0));
    cache.put(kLookup, "circleci/ORG1/PRJ9", t0);
    SlugLookup other_case = kLookup;
    other_case.org = "acmeapp";
    other_case.repo = "THING";
    CHECK(cache.get(other_case, t0 + 59s) == "circleci/ORG1/PRJ9");
    CHECK_FALSE(cache.get(kLookup, t0 + 60s));

    tjc::mapping::Resolution r;
    tjc::mapping::ProjectTarget waiting;
    waiting.lookup = kLookup;
    waiting.rule = "x.yaml:3:7";
    r.projects.push_back(waiting);
    tjc::mapping::ProjectTarget known;
    known.slug = "gh/a/b";
    r.projects.push_back(known);
    CHECK(cache.apply(r, t0 + 1s) == 0);
    CHECK(r.projects[0].slug == "circleci/ORG1/PRJ9");
    CHECK(r.projects[1].slug == "gh/a/b");

    // Bounded: the oldest answer goes first.
    SlugLookup b = kLookup, c = kLookup;
    b.repo = "b";
    c.repo = "c";
    cache.put(b, "circleci/ORG1/B", t0 + 2s);
    cache.put(c, "circleci/ORG1/C", t0 + 3s);
    CHECK(cache.size() == 2);
    CHECK_FALSE(cache.get(kLookup, t0 + 4s));
    CHECK(cache.get(c, t0 + 4s) == "circleci/ORG1/C");
}
