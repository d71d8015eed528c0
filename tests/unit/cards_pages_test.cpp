// What the cards say on each kind of page (issues 13 and 14): errored pipelines with their
// reason, plurals and readable ages, PR pages and branches CircleCI does not know labelled as
// the default branch, the owning team, the Links and contexts cards, a convention's 404, and
// no server path anywhere.
#include "cards/project_links.hpp"
#include "cards_world.hpp"

#include <algorithm>

using namespace tjc;
using namespace tjc::test;

namespace {

std::vector<circleci::Context> world_contexts() {
    std::vector<circleci::Context> out;
    const auto& all = world().at("contexts").as_object().at("c6f2e1a0-9b8c-4d7e-a6f5-4e3d2c1b0a9f").as_array();
    for (const auto& c : all) {
        out.push_back({std::string(c.at("id").as_string()), std::string(c.at("name").as_string()), std::nullopt});
    }
    return out;
}

const cards::Card* find(const std::vector<cards::Card>& cards, std::string_view prefix) {
    const auto it =
        std::find_if(cards.begin(), cards.end(), [&](const cards::Card& c) { return c.content.starts_with(prefix); });
    return it == cards.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("an errored pipeline says why: errors[].message in the tooltip, on one line, cut to fit") {
    auto s = snapshot("gh/acme/errored");
    auto card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(card->content.starts_with("CircleCI main: errored "));
    CHECK(card->tooltip.find("Error (config): Config does not conform to schema: {:workflows") != std::string::npos);
    CHECK(card->tooltip.find("(not (map? a-symbol))}]}}} Jobs may be a map") != std::string::npos);  // one line
    const auto recent = cards::recent_pipelines_card(s, ctx());
    REQUIRE(recent);
    CHECK(recent->items.front().tooltip.starts_with("Error (config): "));

    // A config error of 3,000 characters: cut, and the tooltip stays within ToolJump's 500.
    s.pipelines.front().pipeline.errors = {{"config", std::string(3000, 'x')}};
    card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(cards::validate(*card).empty());
    CHECK(card->tooltip.find("Error (config): xxx") != std::string::npos);
    CHECK(card->tooltip.find("\u2026") != std::string::npos);
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("who triggered a pipeline without a commit is its own line, never glued to a workflow") {
    auto s = snapshot("gh/acme/errored");
    s.pipelines.erase(s.pipelines.begin());  // the head is now the API-triggered pipeline
    auto card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(card->tooltip.find("\nTriggered by release-bot") != std::string::npos);
    CHECK(card->tooltip.find("success by release-bot") == std::string::npos);
    // With a commit: "<sha> by <login>".
    auto passing = cards::branch_status_card(snapshot("gh/acme/passing"), ctx());
    REQUIRE(passing);
    CHECK(passing->tooltip.find(" by priya-raman") != std::string::npos);
    CHECK(passing->tooltip.find("success by") == std::string::npos);
}

TEST_CASE("plurals: one pipeline, one workflow") {
    auto s = snapshot("gh/acme/passing");
    auto& cfg = settings();
    const auto saved = cfg.recent_pipelines;
    cfg.recent_pipelines = 1;
    auto one = cards::recent_pipelines_card(s, ctx());
    cfg.recent_pipelines = saved;
    REQUIRE(one);
    CHECK(one->tooltip == "The most recent pipeline on main: not failed");
    auto five = cards::recent_pipelines_card(snapshot("gh/acme/failing"), ctx());
    REQUIRE(five);
    CHECK(five->tooltip.starts_with("The 5 most recent pipelines on main: "));

    REQUIRE(s.insights);
    s.insights->workflows.resize(1);
    auto insights = cards::insights_card(s, ctx());
    REQUIRE(insights);
    CHECK(insights->tooltip.find(" of 1 workflow on main") != std::string::npos);
    CHECK(insights->tooltip.find("1 workflows") == std::string::npos);
}

TEST_CASE("MTTR past a day reads in days and hours") {
    auto s = snapshot("gh/acme/passing");
    REQUIRE(s.insights);
    REQUIRE_FALSE(s.insights->workflows.empty());
    s.insights->workflows[0].metrics.mttr = 66 * 3600 + 34 * 60;  // issue 13: it said "66h 34m"
    auto insights = cards::insights_card(s, ctx());
    REQUIRE(insights);
    CHECK(insights->items[0].tooltip.find("MTTR 2d 19h") != std::string::npos);
}

TEST_CASE("a PR page shows the default branch and says so") {
    mapping::ProjectTarget t;
    t.pull = "42";
    auto s = snapshot("gh/acme/passing", "", t);
    auto card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(card->content.starts_with("CircleCI main (default branch, PR #42): passed "));
    CHECK(card->tooltip.find("On PR #42: this is the default branch main, not the pull request's own pipelines.") !=
          std::string::npos);
    check_schema(cards::render_project(s, ctx()));
}

TEST_CASE("a branch CircleCI does not know: the default branch, labelled as such") {
    mapping::ProjectTarget t;
    t.branch_candidates = {"feature/x/src", "feature/x", "feature"};
    auto s = snapshot("gh/acme/passing", "", t);
    auto card = cards::branch_status_card(s, ctx());
    REQUIRE(card);
    CHECK(card->content.starts_with("CircleCI main (default branch): passed "));
    CHECK(card->tooltip.find("CircleCI has no pipelines of the branch this page shows (feature/x/src)") !=
          std::string::npos);
    // When a candidate is the default branch itself (/tree/main/src), nothing to label.
    t.branch_candidates = {"main/src", "main"};
    auto plain = cards::branch_status_card(snapshot("gh/acme/passing", "", t), ctx());
    REQUIRE(plain);
    CHECK(plain->content.starts_with("CircleCI main: passed "));
    // The front page: the default branch, no label.
    auto front = cards::branch_status_card(snapshot("gh/acme/develop-default"), ctx());
    REQUIRE(front);
    CHECK(front->content.starts_with("CircleCI develop: "));
}

TEST_CASE("the owning team is in the status tooltip") {
    mapping::ProjectTarget t;
    t.team = "payments";
    auto card = cards::branch_status_card(snapshot("gh/acme/passing", "", t), ctx());
    REQUIRE(card);
    CHECK(card->tooltip.find("\nTeam: payments") != std::string::npos);
    auto empty = cards::branch_status_card(snapshot("gh/acme/empty", "", t), ctx());
    REQUIRE(empty);
    CHECK(empty->tooltip.find("Team: payments") != std::string::npos);
}

TEST_CASE("the Links card: the page's links after the project's, none without links") {
    mapping::ProjectTarget t;
    t.rule_label = "rule 'shop'";
    t.service = "webshop";
    t.env = "prod";
    t.links = {{"Runbook", "https://runbooks.acme.io/webshop/prod", ""},
               {"Dashboard", "https://grafana.acme.io/d/svc/webshop", "grafana"}};
    const auto out = cards::render_project(snapshot("gh/acme/passing", "", t), ctx());
    check_schema(out);
    const auto* links = find(out, "Links");
    REQUIRE(links);
    CHECK(links->type == cards::Card::Type::dropdown);
    REQUIRE(links->items.size() == 2);
    CHECK(links->items[0].href == "https://runbooks.acme.io/webshop/prod");
    CHECK(links->items[0].icon == "link");
    CHECK(links->items[1].icon == "grafana");
    CHECK(links->tooltip == "Links for webshop, prod");
    CHECK(links == &out.back());
    CHECK(find(out, "CircleCI: gh/acme/passing") == links - 1);

    t.links.clear();
    CHECK_FALSE(find(cards::render_project(snapshot("gh/acme/passing", "", t), ctx()), "Links"));
    t.cards = {"status"};  // a rule without links cards shows none
    t.links = {{"Runbook", "https://runbooks.acme.io/x", ""}};
    CHECK_FALSE(find(cards::render_project(snapshot("gh/acme/passing", "", t), ctx()), "Links"));
}

TEST_CASE("the project's links card names the rule, never a server path") {
    mapping::ProjectTarget t;
    t.slug = "gh/acme/passing";
    t.rule = "/srv/tooljump/config.yaml:11:7";
    t.rule_label = "rule 'webshop'";
    const auto card = cards::project_links_card(t, "https://app.circleci.com");
    CHECK(card.tooltip == "CircleCI project gh/acme/passing, mapped by rule 'webshop'");
    for (auto kind : {cards::FailureKind::not_found, cards::FailureKind::forbidden, cards::FailureKind::no_token}) {
        const auto e = cards::error_card(kind, t, "https://app.circleci.com", "");
        CHECK(e.tooltip.find("/srv/") == std::string::npos);
        CHECK(e.tooltip.find("config.yaml") == std::string::npos);
    }
}

TEST_CASE("a convention's 404 is one neutral card, an explicit rule's stays an error") {
    mapping::ProjectTarget t;
    t.slug = "gh/acme/nope";
    t.rule_label = "the github.com convention (gh/<org>/<repo>)";
    t.mapped_by = mapping::MappedBy::host_convention;
    const auto quiet = cards::error_card(cards::FailureKind::not_found, t, "https://app.circleci.com", "");
    CHECK(quiet.content == "CircleCI: no project");
    CHECK(quiet.status == cards::Status::none);
    CHECK(quiet.type == cards::Card::Type::text);
    CHECK(quiet.tooltip.find("gh/acme/nope") != std::string::npos);
    CHECK(quiet.tooltip.find("the github.com convention") != std::string::npos);
    CHECK(cards::validate(quiet).empty());
    t.mapped_by = mapping::MappedBy::service_convention;
    CHECK(cards::error_card(cards::FailureKind::not_found, t, "https://app.circleci.com", "").status ==
          cards::Status::none);
    // Other failures under a convention are still errors.
    CHECK(cards::error_card(cards::FailureKind::server_error, t, "https://app.circleci.com", "").status ==
          cards::Status::important);
    t.mapped_by = mapping::MappedBy::rule;
    const auto loud = cards::error_card(cards::FailureKind::not_found, t, "https://app.circleci.com", "");
    CHECK(loud.content == "CircleCI: project not found");
    CHECK(loud.status == cards::Status::important);
}

TEST_CASE("the contexts card: the organization's contexts named for the page's service") {
    mapping::ProjectTarget t;
    t.service = "webshop";
    t.env = "prod";
    auto s = snapshot("gh/acme/deploys", "", t);
    CHECK_FALSE(cards::contexts_card(s, ctx()));  // the plan did not fetch them
    s.contexts = world_contexts();
    auto one = cards::contexts_card(s, ctx());
    REQUIRE(one);
    CHECK(one->content == "Context: svc-webshop-prod");
    REQUIRE(one->items.size() == 1);
    CHECK(one->items[0].href ==
          "https://app.circleci.com/settings/organization/github/acme/contexts/" + s.contexts->front().id);
    CHECK(one->tooltip == "1 organization context named like svc-{service}-{env} for webshop in prod");

    s.target.env.clear();  // any environment
    auto both = cards::contexts_card(s, ctx());
    REQUIRE(both);
    CHECK(both->content == "Contexts (2)");
    check_schema({*both});

    s.target.service = "WebShop";  // service names compare without case
    CHECK(cards::contexts_card(s, ctx()));
    s.target.service = "billing";
    CHECK_FALSE(cards::contexts_card(s, ctx()));
    s.target.service.clear();  // no service: the pattern names nothing
    CHECK_FALSE(cards::contexts_card(s, ctx()));

    auto cc = snapshot("circleci/8e2b0c1a-org/5f4d3c2b-proj", "", t);
    cc.contexts = world_contexts();
    auto card = cards::contexts_card(cc, ctx());
    REQUIRE(card);
    CHECK(card->items[0].href.starts_with(
        "https://app.circleci.com/settings/organization/circleci/8e2b0c1a-org/contexts/"));
}

TEST_CASE("every card passes the schema with long values from the context") {
    mapping::ProjectTarget t;
    t.service = std::string(300, 's');
    t.env = std::string(300, 'e');
    t.team = std::string(600, 't');
    t.pull = "123456789";
    t.rule_label = "rule '" + std::string(600, 'r') + "'";
    for (int i = 0; i < 30; ++i) {
        t.links.push_back({std::string(150, 'n'), "https://x.io/" + std::to_string(i), ""});
    }
    for (const char* slug : {"gh/acme/passing", "gh/acme/errored", "gh/acme/empty", "gh/acme/deploys"}) {
        CAPTURE(slug);
        auto s = snapshot(slug, "", t);
        s.contexts = world_contexts();
        const auto out = cards::render_project(s, ctx());
        check_schema(out);
        CHECK(find(out, "Links"));
        CHECK(cards::validate(cards::error_card(cards::FailureKind::not_found, t, "https://app.circleci.com", ""))
                  .empty());
    }
}
