// What a CircleCI event means for the plugin's cards (TJ_PLUGIN_EVENTS_V1): project slug in
// our form, branch from vcs or trigger_parameters.git, on CircleCI's own sample payloads.
#include <doctest/doctest.h>

#include "events/circleci_event.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

namespace {

std::string sample(const std::string& name) {
    std::ifstream in(std::string(TJC_TEST_DATA_DIR) + "/circleci/webhooks/" + name);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string event_of(const std::string& payload, const std::string& source = "circleci") {
    const auto p = boost::json::parse(payload);
    return boost::json::serialize(
        boost::json::object{{"source", source}, {"type", p.at("type")}, {"id", p.at("id")}, {"payload", p}});
}

using tjc::events::ParsedEvent;

}  // namespace

TEST_CASE("events: slugs in the API's short form, compared without case") {
    CHECK(tjc::events::normalize_slug("github/CircleCI/Webhook-Service") == "gh/circleci/webhook-service");
    CHECK(tjc::events::normalize_slug("bitbucket/acme/legacy") == "bb/acme/legacy");
    CHECK(tjc::events::normalize_slug("gh/acme/api") == "gh/acme/api");
    CHECK(tjc::events::normalize_slug("circleci/DdaVt/6EkDP") == "circleci/ddavt/6ekdp");
    CHECK(tjc::events::normalize_slug("githubx/a/b") == "githubx/a/b");
}

TEST_CASE("events: CircleCI's sample deliveries: project and branch, GitHub OAuth and GitLab") {
    auto e = tjc::events::parse_event(event_of(sample("workflow-completed.github-oauth.json")));
    REQUIRE(e.outcome == ParsedEvent::Outcome::change);
    CHECK(e.change.slug == "gh/circleci/webhook-service");  // the github/ trap
    CHECK(e.change.branch == "main");
    CHECK(e.change.type == "workflow-completed");
    CHECK(e.change.id == "3888f21b-eaa7-38e3-8f3d-75a63bba8895");

    e = tjc::events::parse_event(event_of(sample("job-completed.github-oauth.json")));
    REQUIRE(e.outcome == ParsedEvent::Outcome::change);
    CHECK(e.change.type == "job-completed");

    e = tjc::events::parse_event(event_of(sample("workflow-completed.gitlab.json")));
    REQUIRE(e.outcome == ParsedEvent::Outcome::change);
    CHECK(e.change.slug == "circleci/ddavtnushqi24d4yt3x4eu/6ekdpzon4zdmkkztbkrodt");
    CHECK(e.change.branch == "main");  // from pipeline.trigger_parameters.git
}

TEST_CASE("events: other sources and types are not ours, bad JSON is invalid") {
    CHECK(tjc::events::parse_event(event_of(sample("workflow-completed.gitlab.json"), "github")).outcome ==
          ParsedEvent::Outcome::not_ours);
    CHECK(tjc::events::parse_event(R"({"source":"circleci","type":"ping","id":"1","payload":{}})").outcome ==
          ParsedEvent::Outcome::not_ours);
    CHECK(tjc::events::parse_event(R"({"source":"circleci","type":"workflow-completed","id":"1","payload":{}})")
              .outcome == ParsedEvent::Outcome::not_ours);  // no project named
    for (const char* bad : {"{", "[]", R"({"source":"circleci","type":"x"})", R"({"source":1,"type":"x","payload":{}})",
                            R"({"source":"circleci","type":"x","payload":[]})"}) {
        CAPTURE(bad);
        const auto e = tjc::events::parse_event(bad);
        CHECK(e.outcome == ParsedEvent::Outcome::invalid);
        CHECK_FALSE(e.problem.empty());
    }
}
