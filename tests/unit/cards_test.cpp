// Card rendering against the scenario world (tests/fixtures/worlds/world.json): the exact
// cards for each scenario, and ToolJump's schema for every card rendered.
#include "cards_world.hpp"

using namespace tjc;
using namespace tjc::test;
using namespace std::chrono_literals;

TEST_CASE("passing: a green status card for the default branch, linking to its pipeline") {
    auto s = snapshot("gh/acme/passing");
    auto card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(card->status == cards::Status::success);
    CHECK(card->content.starts_with("CircleCI main: passed "));
    const auto number = s.pipelines.front().pipeline.number;
    CHECK(card->href == "https://app.circleci.com/pipelines/github/acme/passing/" + std::to_string(number));
    CHECK(card->tooltip.find("build-and-test: success") != std::string::npos);
    CHECK(card->tooltip.find("(default branch)") != std::string::npos);
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("failing: failing for N pipelines, important") {
    auto s = snapshot("gh/acme/failing");
    auto streak = cards::failure_streak(s.pipelines);
    CHECK(streak.pipelines == 3);
    auto card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(card->status == cards::Status::important);
    CHECK(card->content.find("failing for 3 pipelines / ") != std::string::npos);
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("running: relevant, and the running head does not break the streak count") {
    auto s = snapshot("gh/acme/running");
    auto card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(card->status == cards::Status::relevant);
    CHECK(card->content.find(": running") != std::string::npos);
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("on hold: a waiting-for-approval card linking to the workflow") {
    auto s = snapshot("gh/acme/on-hold");
    auto card = cards::approval_card(s, ctx());
    REQUIRE(card);
    CHECK(card->status == cards::Status::relevant);
    CHECK(card->content.starts_with("Waiting for approval: "));
    CHECK(card->href.find("/workflows/") != std::string::npos);
    auto status = cards::branch_status_card(s, ctx());
    REQUIRE(status);
    CHECK(status->content.find("on hold") != std::string::npos);
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("empty: no pipelines is said plainly, and no dropdowns without items") {
    auto s = snapshot("gh/acme/empty");
    auto card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(card->content == "CircleCI main: no pipelines");
    CHECK_FALSE(cards::recent_pipelines_card(s, ctx()));
    CHECK_FALSE(cards::deploys_card(s, ctx()));
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("recent pipelines: N entries, newest first, each linking to its pipeline or workflow") {
    auto s = snapshot("gh/acme/passing");
    auto card = cards::recent_pipelines_card(s, ctx());
    REQUIRE(card);
    CHECK(card->items.size() == settings().recent_pipelines);
    CHECK(
        card->items.front().content.starts_with("#" + std::to_string(s.pipelines.front().pipeline.number) + " passed"));
    for (const auto& item : card->items) {
        CHECK(item.href.starts_with("https://app.circleci.com/pipelines/github/acme/passing/"));
    }
}

TEST_CASE("deploys: last successful deploy per environment, with SHA and tree link") {
    auto s = snapshot("gh/acme/deploys");
    auto card = cards::deploys_card(s, ctx());
    REQUIRE(card);
    bool prod = false;
    for (const auto& item : card->items) {
        if (item.content.find("prod: deployed") != std::string::npos) {
            prod = true;
            CHECK(item.href.find("/workflows/") != std::string::npos);
        }
        if (item.icon == "github") {
            CHECK(item.href.starts_with("https://github.com/acme/deploys/tree/"));
        }
    }
    CHECK(prod);
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("deploy_env: naming conventions") {
    const std::vector<std::string> patterns{"deploy-{service}-{env}", "deploy-{env}"};
    CHECK(cards::deploy_env("deploy-webshop-prod", patterns, "webshop") == "prod");
    CHECK(cards::deploy_env("deploy-checkout-prod", patterns, "webshop") == std::nullopt);
    CHECK(cards::deploy_env("deploy-prod", patterns, "webshop") == "prod");
    CHECK(cards::deploy_env("deploy-webshop-prod", patterns, "") == "webshop prod");
    CHECK(cards::deploy_env("deploy-prod", patterns, "") == "prod");
    CHECK(cards::deploy_env("build-webshop", patterns, "") == std::nullopt);
}

TEST_CASE("monorepo: a service filter keeps only that service's pipelines and workflows") {
    mapping::ProjectTarget t;
    t.service = "checkout";
    t.workflows = {"*-checkout*"};
    auto s = snapshot("gh/acme/monorepo", "", t);
    REQUIRE_FALSE(s.pipelines.empty());
    for (const auto& run : s.pipelines) {
        for (const auto& w : run.workflows) {
            CHECK(w.name.find("checkout") != std::string::npos);
        }
    }
    mapping::ProjectTarget by_param;
    by_param.parameters = {{"service", "webshop"}};
    auto p = snapshot("gh/acme/monorepo", "", by_param);
    REQUIRE_FALSE(p.pipelines.empty());
    for (const auto& run : p.pipelines) {
        CHECK(run.pipeline.trigger_parameters.at("service") == "webshop");
    }
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("commit page: the pipeline(s) that built the SHA") {
    const auto& proj = world().at("projects").at("gh/acme/passing").as_object();
    const std::string sha(proj.at("pipelines").as_array()[2].at("vcs").at("revision").as_string());
    mapping::ProjectTarget t;
    t.commit = sha.substr(0, 10);
    auto s = snapshot("gh/acme/passing", "", t);
    auto card = cards::commit_card(s, ctx());
    REQUIRE(card);
    CHECK(card->content.starts_with("CircleCI " + sha.substr(0, 7) + ": passed"));
    CHECK_FALSE(cards::branch_status_card(s, ctx()));
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("default branch comes from the project, never a hard-coded main") {
    auto s = snapshot("gh/acme/develop-default");
    CHECK(s.branch == "develop");
    auto card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(card->content.starts_with("CircleCI develop: "));
}

TEST_CASE("links follow app_url and the slug form: gh, bb, circleci") {
    auto gh = cards::render_project(snapshot("gh/acme/passing"), ctx("https://circleci.example.com/"));
    bool found = false;
    for (const auto& c : gh) {
        for (const auto& i : c.items) {
            found = found || i.href == "https://circleci.example.com/pipelines/github/acme/passing";
        }
    }
    CHECK(found);
    auto bb = snapshot("bb/acme/legacy");
    auto bb_card = cards::branch_status_card(bb, ctx());
    REQUIRE(bb_card);
    CHECK(bb_card->href.starts_with("https://app.circleci.com/pipelines/bitbucket/acme/legacy/"));
    auto cc = snapshot("circleci/8e2b0c1a-org/5f4d3c2b-proj");
    auto cc_card = cards::branch_status_card(cc, ctx());
    REQUIRE(cc_card);
    CHECK(cc_card->href.starts_with("https://app.circleci.com/pipelines/circleci/8e2b0c1a-org/5f4d3c2b-proj/"));
    check_schema(cards::render_project(bb, ctx()));
    check_schema(cards::render_project(cc, ctx()));
}

TEST_CASE("insights: success rate per workflow, threshold highlight, link per workflow") {
    auto s = snapshot("gh/acme/failing");
    auto card = cards::insights_card(s, ctx());
    REQUIRE(card);
    CHECK(card->content.starts_with("Insights 30d: "));
    bool any_low = false;
    for (const auto& item : card->items) {
        if (item.status == cards::Status::important) {
            any_low = true;
        }
    }
    CHECK(any_low == (card->status == cards::Status::important));
    CHECK(card->items.back().href == "https://app.circleci.com/insights/github/acme/failing/workflows");
}

TEST_CASE("cards can be switched off per rule") {
    mapping::ProjectTarget t;
    t.cards = {"status"};
    auto out = cards::render_project(snapshot("gh/acme/passing", "", t), ctx());
    REQUIRE(out.size() == 1);
    CHECK(out.front().content.starts_with("CircleCI main:"));
}

// (The cards never see a token: a failure's detail comes redacted from the client, which the
// fault matrix's token scan checks end to end.)
TEST_CASE("error cards: one per kind, valid, naming the slug, the rule's name (never its file) and the secret's name") {
    mapping::ProjectTarget t;
    t.slug = "gh/acme/missing";
    t.rule = "/etc/tooljump/mapping.yaml:12:5";
    t.rule_label = "rule 'shop'";
    t.mapped_by = mapping::MappedBy::rule;
    t.token_secret = "CIRCLECI_TOKEN";
    for (auto kind : {cards::FailureKind::no_token, cards::FailureKind::token_rejected, cards::FailureKind::forbidden,
                      cards::FailureKind::not_found, cards::FailureKind::rate_limited, cards::FailureKind::unreachable,
                      cards::FailureKind::tls, cards::FailureKind::timeout, cards::FailureKind::bad_response,
                      cards::FailureKind::server_error}) {
        auto card = cards::error_card(kind, t, "https://app.circleci.com", "");
        CHECK(cards::validate(card).empty());
        CHECK(card.status == cards::Status::important);
    }
    auto nf = cards::error_card(cards::FailureKind::not_found, t, "https://app.circleci.com", "");
    CHECK(nf.tooltip.find("gh/acme/missing") != std::string::npos);
    CHECK(nf.tooltip.find("rule 'shop'") != std::string::npos);
    CHECK(nf.tooltip.find("mapping.yaml") == std::string::npos);
    auto unauthorized = cards::error_card(cards::FailureKind::token_rejected, t, "https://app.circleci.com", "");
    CHECK(unauthorized.tooltip.find("personal API tokens") != std::string::npos);
    CHECK(unauthorized.tooltip.find("CIRCLECI_TOKEN") != std::string::npos);  // the secret's name: where to look
    auto none = cards::error_card(cards::FailureKind::no_token, t, "https://app.circleci.com", "");
    CHECK(none.tooltip.find("INTEGRATION_CIRCLECI_TOKEN") != std::string::npos);
    auto note = cards::stale_note_card(cards::FailureKind::rate_limited, t, 5min);
    CHECK(note.content == "CircleCI: rate-limited, cards from 5m ago");
}

TEST_CASE("tooltips are clipped to 500 characters, counted as code points") {
    std::string long_text;
    for (int i = 0; i < 300; ++i) {
        long_text += "\u00e9x";
    }
    const auto clipped = cards::clip(long_text, cards::kMaxTooltip);
    cards::Card c{cards::Card::Type::text, "x", "", cards::Status::none, "", clipped, {}};
    CHECK(cards::validate(c).empty());
    c.tooltip = long_text;
    CHECK_FALSE(cards::validate(c).empty());
}

TEST_CASE("formatting") {
    CHECK(cards::age(30s) == "just now");
    CHECK(cards::age(5min) == "5m ago");
    CHECK(cards::age(3h) == "3h ago");
    CHECK(cards::age(47h) == "47h ago");
    CHECK(cards::age(49h) == "2d ago");
    CHECK(cards::age(13 * 24h) == "13d ago");
    CHECK(cards::age(15 * 24h) == "2w ago");
    CHECK(cards::age(98 * 24h) == "3mo ago");
    CHECK(cards::age(2342 * 24h) == "6y ago");  // issue 13: it said "2342d ago"
    CHECK(cards::duration(45s) == "45s");
    CHECK(cards::duration(252s) == "4m 12s");
    CHECK(cards::duration(3900s) == "1h 05m");
    CHECK(cards::duration(66h + 34min) == "2d 19h");  // issue 13: it said "66h 34m"
    CHECK(cards::duration(23h + 59min + 50s) == "1d 0h");
    CHECK(cards::duration(24h * 20 + 20h) == "3w 0d");
    CHECK(cards::duration(59min + 59s) == "59m 59s");
    CHECK(cards::duration(1h + 59min + 40s) == "2h 00m");
    CHECK(cards::duration(24h * 16) == "2w 2d");
    CHECK(cards::count(1, "pipeline", "pipelines") == "1 pipeline");
    CHECK(cards::count(0, "pipeline", "pipelines") == "0 pipelines");
    CHECK(cards::count(2, "workflow", "workflows") == "2 workflows");
    CHECK(cards::percent(0.925) == "92%");  // rounding to even is fine either way, so:
    CHECK(cards::percent(1.0) == "100%");
    CHECK(cards::trend(1.12) == "+12%");
    CHECK(cards::subject("First line\nsecond", 100) == "First line");
}

TEST_CASE("deploy_env: a service name with hyphens, environments are one word") {
    const std::vector<std::string> patterns{"deploy-{service}-{env}", "deploy-{env}"};
    CHECK(cards::deploy_env("deploy-payments-api-prod", patterns, "") == "payments-api prod");
    CHECK(cards::deploy_env("deploy-payments-api-prod", patterns, "payments-api") == "prod");
}

TEST_CASE("every card leaves through results_json: one that breaks the schema is left out and reported") {
    const cards::Card good{cards::Card::Type::link,
                           "CircleCI main: passed",
                           "https://app.circleci.com/x",
                           cards::Status::success,
                           "circleci",
                           "fine",
                           {}};
    cards::Card no_href = good;  // a link without its href
    no_href.content = "broken link";
    no_href.href.clear();
    cards::Card empty_dropdown{cards::Card::Type::dropdown, "Recent pipelines", "", cards::Status::none, "", "", {}};
    std::vector<std::string> reported;
    const auto json = cards::results_json({good, no_href, empty_dropdown, good},
                                          [&](const std::string& problem) { reported.push_back(problem); });
    const auto v = boost::json::parse(json);
    REQUIRE(v.is_array());
    CHECK(v.as_array().size() == 2);  // the two good ones, in order
    for (const auto& c : v.as_array()) {
        CHECK(c.at("content") == "CircleCI main: passed");
    }
    REQUIRE(reported.size() == 2);
    CHECK(reported[0].find("broken link") != std::string::npos);
    CHECK(reported[1].find("Recent pipelines") != std::string::npos);
    // Notes and error cards pass the same check.
    mapping::ProjectTarget t;
    t.slug = "gh/acme/x";
    reported.clear();
    (void)cards::results_json(
        {cards::refreshing_note_card(5min), cards::stale_note_card(cards::FailureKind::timeout, t, 1min),
         cards::error_card(cards::FailureKind::server_error, t, "https://app.circleci.com", "x")},
        [&](const std::string& problem) { reported.push_back(problem); });
    CHECK(reported.empty());
}
