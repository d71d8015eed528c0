// CircleCI API v2 parsers: The test server's world (tests/support/fixtures/world.json): every embedded body parses, and its scenarios hold.
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
// The test server's world: every embedded body must parse with these parsers.

namespace {

const json::object& obj(const json::value& v, const std::string& what) {
    INFO(what);
    REQUIRE(v.is_object());
    return v.get_object();
}

std::string page_body(const json::value& items) {
    json::object page;
    page["items"] = items;
    page["next_page_token"] = nullptr;
    return json::serialize(page);
}

}  // namespace

TEST_CASE("world.json: every embedded body parses, and the world is consistent") {
    const json::value world = json::parse(slurp(kWorld));
    const auto& root = obj(world, "root");
    const auto base = parse_timestamp(root.at("time_base").as_string());
    REQUIRE(base);
    ok(parse_user(json::serialize(root.at("me"))));

    const auto& projects = obj(root.at("projects"), "projects");
    CHECK(projects.size() == 13);
    std::size_t bodies = 0;
    for (const auto& [slug_sv, pv] : projects) {
        const std::string slug(slug_sv);
        CAPTURE(slug);
        const auto& p = obj(pv, slug);
        const auto& project = ok(parse_project(json::serialize(p.at("project"))));
        CHECK(project.slug == slug);
        ++bodies;

        const auto& pipes = ok(parse_pipelines_page(page_body(p.at("pipelines"))));
        ++bodies;
        for (std::size_t i = 0; i < pipes.items.size(); ++i) {
            const Pipeline& pl = pipes.items[i];
            CHECK(pl.project_slug == slug);
            CHECK(pl.created_at <= *base);
            if (i > 0) {  // newest first
                CHECK(pl.number < pipes.items[i - 1].number);
                CHECK(pl.created_at < pipes.items[i - 1].created_at);
            }
            REQUIRE(pl.vcs);
            CHECK(pl.trigger.actor_login);
            ok(parse_pipeline(json::serialize(p.at("pipelines").as_array()[i])));
            ++bodies;
            // gh/acme/errored's head errored (no workflows), the next ran without a commit.
            if (slug == "gh/acme/errored" && i < 2) {
                continue;
            }
            REQUIRE(pl.vcs->revision);
            CHECK(pl.vcs->revision->size() == 40);
            CHECK(pl.vcs->commit_subject);
            // Every pipeline has its workflows, and every workflow its jobs.
            const auto& wfs = ok(parse_workflows_page(page_body(p.at("workflows").at(pl.id))));
            ++bodies;
            CHECK_FALSE(wfs.items.empty());
            for (std::size_t k = 0; k < wfs.items.size(); ++k) {
                const Workflow& w = wfs.items[k];
                CHECK(w.pipeline_id == pl.id);
                CHECK(w.pipeline_number == pl.number);
                CHECK(w.project_slug == slug);
                CHECK(w.status != WorkflowStatus::unknown);
                if (w.stopped_at) {
                    CHECK(*w.stopped_at <= *base);
                }
                ok(parse_workflow(json::serialize(p.at("workflows").at(pl.id).as_array()[k])));
                const auto& jobs = ok(parse_jobs_page(page_body(p.at("jobs").at(w.id))));
                bodies += 2;
                CHECK_FALSE(jobs.items.empty());
                for (const Job& j : jobs.items) {
                    CHECK(j.status != JobStatus::unknown);
                    CHECK(j.type != JobType::unknown);
                    if (j.stopped_at) {
                        CHECK(*j.stopped_at <= *base);
                    }
                }
            }
        }
        for (const auto& [branch, items] : obj(p.at("insights_workflows"), "insights_workflows")) {
            const auto& m = ok(parse_workflow_metrics_page(page_body(items)));
            ++bodies;
            for (const auto& item : m.items) {
                REQUIRE(item.window_end);
                CHECK(*item.window_end <= *base);
                CHECK(item.metrics.successful_runs.value() + item.metrics.failed_runs.value() <=
                      item.metrics.total_runs);
            }
            // Keyed by branch; "*" is the all-branches answer.
            CHECK((std::string(branch) == project.vcs_info.default_branch || std::string(branch) == "*"));
        }
        for (const auto& [name, runs] : obj(p.at("insights_runs"), "insights_runs")) {
            const auto& r = ok(parse_workflow_runs_page(page_body(runs)));
            ++bodies;
            for (std::size_t i = 1; i < r.items.size(); ++i) {
                CHECK(r.items[i].created_at <= r.items[i - 1].created_at);
            }
            (void)name;
        }
        for (const auto& [name, summary] : obj(p.at("insights_summary"), "insights_summary")) {
            const auto& s = ok(parse_workflow_summary(json::serialize(summary)));
            ++bodies;
            CHECK(s.trends.success_rate);
            CHECK(std::find(s.workflow_names.begin(), s.workflow_names.end(), std::string(name)) !=
                  s.workflow_names.end());
        }
        ok(parse_project_page_summary(json::serialize(p.at("insights_pages_summary"))));
        ++bodies;
    }
    CHECK(bodies > 300);
}

TEST_CASE("world.json: the scenarios the cards are tested against") {
    const json::value world = json::parse(slurp(kWorld));
    const auto& projects = world.at("projects").as_object();
    auto pipelines = [&](const char* slug) {
        return ok(parse_pipelines_page(page_body(projects.at(slug).at("pipelines")))).items;
    };
    auto workflows = [&](const char* slug, const Pipeline& p) {
        return ok(parse_workflows_page(page_body(projects.at(slug).at("workflows").at(p.id)))).items;
    };
    auto jobs = [&](const char* slug, const Workflow& w) {
        return ok(parse_jobs_page(page_body(projects.at(slug).at("jobs").at(w.id)))).items;
    };
    auto project = [&](const char* slug) {
        return ok(parse_project(json::serialize(projects.at(slug).at("project"))));
    };

    SUBCASE("passing: 8 pipelines on main, build-and-test and lint all green") {
        const auto ps = pipelines("gh/acme/passing");
        CHECK(ps.size() == 8);
        CHECK(project("gh/acme/passing").vcs_info.default_branch == "main");
        for (const auto& p : ps) {
            const auto ws = workflows("gh/acme/passing", p);
            REQUIRE(ws.size() == 2);
            CHECK(ws[0].name == "build-and-test");
            CHECK(ws[1].name == "lint");
            for (const auto& w : ws) {
                CHECK(w.status == WorkflowStatus::success);
            }
        }
    }
    SUBCASE("failing: the newest 3 failed after earlier passes") {
        const auto ps = pipelines("gh/acme/failing");
        REQUIRE(ps.size() > 3);
        for (std::size_t i = 0; i < ps.size(); ++i) {
            const auto ws = workflows("gh/acme/failing", ps[i]);
            CHECK((ws[0].status == WorkflowStatus::failed) == (i < 3));
        }
    }
    SUBCASE("running: the newest pipeline has a running workflow and job") {
        const auto ps = pipelines("gh/acme/running");
        const auto ws = workflows("gh/acme/running", ps.at(0));
        CHECK(ws[0].status == WorkflowStatus::running);
        CHECK_FALSE(ws[0].stopped_at);
        const auto js = jobs("gh/acme/running", ws[0]);
        CHECK(std::any_of(js.begin(), js.end(), [](const Job& j) { return j.status == JobStatus::running; }));
        CHECK(workflows("gh/acme/running", ps.at(1))[0].status == WorkflowStatus::success);
    }
    SUBCASE("on-hold: an approval job waits") {
        const auto ws = workflows("gh/acme/on-hold", pipelines("gh/acme/on-hold").at(0));
        CHECK(ws[0].status == WorkflowStatus::on_hold);
        const auto js = jobs("gh/acme/on-hold", ws[0]);
        const auto hold = std::find_if(js.begin(), js.end(), [](const Job& j) { return j.type == JobType::approval; });
        REQUIRE(hold != js.end());
        CHECK(hold->status == JobStatus::on_hold);
        CHECK(hold->approval_request_id);
        CHECK_FALSE(hold->job_number);
    }
    SUBCASE("empty: the project exists without pipelines") {
        CHECK(pipelines("gh/acme/empty").empty());
        CHECK(project("gh/acme/empty").name == "empty");
    }
    SUBCASE("deploys: three deploy workflows on main with distinct SHAs, some failed") {
        std::set<std::string> names, shas;
        int failed = 0;
        for (const auto& p : pipelines("gh/acme/deploys")) {
            CHECK(p.vcs->branch == "main");
            shas.insert(*p.vcs->revision);
            for (const auto& w : workflows("gh/acme/deploys", p)) {
                if (w.name.rfind("deploy-", 0) != 0) {
                    continue;
                }
                names.insert(w.name);
                failed += w.status == WorkflowStatus::failed;
            }
        }
        CHECK(names == std::set<std::string>{"deploy-webshop-staging", "deploy-webshop-prod", "deploy-prod"});
        CHECK(shas.size() == pipelines("gh/acme/deploys").size());
        CHECK(failed >= 2);
    }
    SUBCASE("monorepo: service parameters select the workflows") {
        std::set<std::string> services;
        for (const auto& p : pipelines("gh/acme/monorepo")) {
            const std::string svc = p.trigger_parameters.at("service");
            services.insert(svc);
            for (const auto& w : workflows("gh/acme/monorepo", p)) {
                CHECK(w.name.find(svc) != std::string::npos);
            }
        }
        CHECK(services == std::set<std::string>{"webshop", "checkout"});
    }
    SUBCASE("errored: a config error without workflows, then a pipeline without a commit") {
        const auto ps = pipelines("gh/acme/errored");
        CHECK(ps.at(0).state == PipelineState::errored);
        REQUIRE(ps.at(0).errors.size() == 1);
        CHECK(ps.at(0).errors[0].type == "config");
        CHECK_FALSE(projects.at("gh/acme/errored").at("workflows").as_object().contains(ps.at(0).id));
        CHECK_FALSE(ps.at(1).vcs->revision);
        CHECK(ps.at(1).trigger.actor_login == "release-bot");
    }
    SUBCASE("branches: a hex-looking branch and a branch with '/'") {
        std::set<std::string> branches;
        for (const auto& p : pipelines("gh/acme/branches")) {
            branches.insert(*p.vcs->branch);
        }
        CHECK(branches == std::set<std::string>{"main", "2024011", "release/2.1"});
    }
    SUBCASE("webshop: the deploys scenario under the service's name") {
        CHECK(pipelines("gh/acme/webshop").size() == pipelines("gh/acme/deploys").size());
        CHECK(project("gh/acme/webshop").organization_id == project("gh/acme/deploys").organization_id);
    }
    SUBCASE("contexts of the acme organization parse; Bitbucket's may not be listed") {
        const auto& contexts = world.at("contexts").as_object();
        const auto page = ok(parse_contexts_page(page_body(contexts.at(*project("gh/acme/passing").organization_id))));
        CHECK(page.items.size() == 4);
        CHECK(page.items[0].name == "svc-webshop-prod");
        CHECK(contexts.at(*project("bb/acme/legacy").organization_id) == "forbidden");
    }
    SUBCASE("develop-default, Bitbucket and GitHub App projects") {
        CHECK(project("gh/acme/develop-default").vcs_info.default_branch == "develop");
        const auto legacy = project("bb/acme/legacy");
        CHECK(legacy.vcs_info.provider == "Bitbucket");
        CHECK(pipelines("bb/acme/legacy").at(0).vcs->provider_name == "Bitbucket");
        const auto app = project("circleci/8e2b0c1a-org/5f4d3c2b-proj");
        CHECK(app.name == "payments-api");
        CHECK(app.organization_name == "acme");
        CHECK(app.vcs_info.vcs_url == "https://github.com/acme/payments-api");
    }
}
