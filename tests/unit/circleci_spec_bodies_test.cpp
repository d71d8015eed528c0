// CircleCI API v2 parsers: Bodies shaped by the spec (tests/data/circleci), one per resource: pipelines, workflows, jobs, insights, contexts, errors.
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
// Bodies shaped by the spec (tests/data/circleci)

TEST_CASE("spec body: pipeline by id with trigger parameters and commit message") {
    const auto& p = ok(parse_pipeline(slurp(kData / "pipeline-by-id.json")));
    CHECK(p.id == "5034460f-c7c4-4c43-9457-de07e2029e7b");
    CHECK(p.number == 4812);
    CHECK(p.trigger.type == "webhook");
    CHECK(p.trigger.actor_login == "mhernandez");
    CHECK_FALSE(p.trigger.actor_avatar_url);  // null
    REQUIRE(p.vcs);
    CHECK(p.vcs->commit_subject == "Cache product thumbnails at the edge");
    CHECK(p.vcs->commit_body == "Thumbnails were fetched from origin on every page view.\n\nCloses #311.");
    CHECK(p.vcs->review_url == "https://github.com/acme/webshop/pull/318");
    CHECK(p.trigger_parameters.at("service") == "webshop");
    CHECK(p.trigger_parameters.at("deploy") == "true");
    CHECK(p.trigger_parameters.at("replicas") == "3");
    CHECK(p.trigger_parameters.at("circleci.trigger_type") == "gh_app");
    CHECK(p.trigger_parameters.count("gitlab") == 0);  // object values are skipped
    CHECK(p.trigger_parameters.size() == 4);
}

TEST_CASE("spec body: pipelines page with a tag, config errors, offsets and a null revision") {
    const auto& page = ok(parse_pipelines_page(slurp(kData / "pipelines-page-tag-and-errors.json")));
    CHECK(page.next_page_token == "AARLwwV4MA6KUpVd8XKfb8VuXUvo2FZyZ-MAgCYKGSGvKqAxXkQ2obOWhfhxmmZYOBGBKQ");
    REQUIRE(page.items.size() == 2);
    const Pipeline& tagged = page.items[0];
    CHECK(tagged.state == PipelineState::errored);
    REQUIRE(tagged.errors.size() == 1);
    CHECK(tagged.errors[0].type == "config");
    CHECK(tagged.errors[0].message.rfind("Config does not conform", 0) == 0);
    CHECK(tagged.vcs->tag == "v2.14.0");
    CHECK_FALSE(tagged.vcs->branch);
    CHECK_FALSE(tagged.vcs->commit_subject);  // null subject
    CHECK(tagged.created_at == utc(2026y / 1 / 1, hours{10}, minutes{3}, seconds{18}));
    const Pipeline& scheduled = page.items[1];
    CHECK(scheduled.state == PipelineState::setup_pending);
    CHECK(scheduled.created_at == utc(2026y / 1 / 1, hours{14}, minutes{58}));  // -05:00
    CHECK_FALSE(scheduled.updated_at);
    CHECK_FALSE(scheduled.vcs->revision);
    CHECK(scheduled.vcs->branch == "release/2.14");
    CHECK(scheduled.trigger.type == "scheduled_pipeline");
}

TEST_CASE("spec body: workflows of a pipeline") {
    const auto& page = ok(parse_workflows_page(slurp(kData / "workflows-of-pipeline.json")));
    CHECK_FALSE(page.next_page_token);
    REQUIRE(page.items.size() == 3);
    CHECK(page.items[0].name == "build-and-test");
    CHECK(page.items[0].status == WorkflowStatus::running);
    CHECK_FALSE(page.items[0].stopped_at);
    CHECK(page.items[0].pipeline_number == 4812);
    CHECK(page.items[0].pipeline_id == "5034460f-c7c4-4c43-9457-de07e2029e7b");
    CHECK(page.items[0].project_slug == "gh/acme/webshop");
    CHECK(page.items[1].tag == "setup");
    CHECK(page.items[1].stopped_at == utc(2026y / 1 / 1, hours{11}, minutes{42}, seconds{7}, milliseconds{950}));
    CHECK(page.items[2].status == WorkflowStatus::unknown);  // a status newer than our enum
    CHECK_FALSE(page.items[2].tag);
}

TEST_CASE("spec body: workflow by id") {
    const auto& w = ok(parse_workflow(slurp(kData / "workflow-by-id.json")));
    CHECK(w.id == "fda08377-fe7e-46b1-8992-3a7aaecac9c3");
    CHECK(w.status == WorkflowStatus::canceled);
    CHECK(w.pipeline_number == 4812);
    REQUIRE(w.stopped_at);
    CHECK(*w.stopped_at - w.created_at == milliseconds{443573});
}

TEST_CASE("spec body: jobs of a workflow, including approval and blocked jobs") {
    const auto& page = ok(parse_jobs_page(slurp(kData / "jobs-of-workflow.json")));
    REQUIRE(page.items.size() == 5);
    const Job& build = page.items[0];
    CHECK(build.job_number == 90211);
    CHECK(build.type == JobType::build);
    CHECK(build.status == JobStatus::success);
    CHECK(build.dependencies.empty());
    CHECK(page.items[1].status == JobStatus::infrastructure_fail);
    CHECK(page.items[1].dependencies == std::vector<std::string>{build.id});
    const Job& hold = page.items[2];
    CHECK(hold.type == JobType::approval);
    CHECK(hold.status == JobStatus::on_hold);
    CHECK_FALSE(hold.job_number);
    CHECK_FALSE(hold.started_at);
    CHECK(hold.approval_request_id == "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e");
    const Job& blocked = page.items[3];
    CHECK(blocked.status == JobStatus::blocked);
    CHECK_FALSE(blocked.started_at);
    CHECK_FALSE(blocked.stopped_at);
    CHECK(page.items[4].status == JobStatus::terminated_unknown);
}

TEST_CASE("spec body: workflow summary") {
    const auto& s = ok(parse_workflow_summary(slurp(kData / "workflow-summary.json")));
    CHECK(s.metrics.total_runs == 412);
    CHECK(s.metrics.completed_runs == 409);
    CHECK(s.metrics.success_rate == doctest::Approx(0.9004854368932039));
    CHECK(s.metrics.duration_metrics.p95 == 745);
    CHECK(s.metrics.window_end == utc(2026y / 1 / 1, hours{11}, minutes{49}, seconds{31}, milliseconds{774}));
    CHECK(*s.trends.success_rate == doctest::Approx(1.04));
    CHECK(*s.trends.median_duration_secs == doctest::Approx(0.97));
    CHECK(*s.trends.p95_duration_secs == doctest::Approx(0.91));
    CHECK(s.workflow_names == std::vector<std::string>{"build-and-test", "lint", "deploy-webshop-prod"});
}

TEST_CASE("spec body: insights pages summary") {
    const auto& s = ok(parse_project_page_summary(slurp(kData / "pages-summary.json")));
    CHECK(s.org_id == "c6f2e1a0-9b8c-4d7e-a6f5-4e3d2c1b0a9f");
    CHECK(s.project_data.metrics.total_runs == 640);
    CHECK(*s.project_data.metrics.success_rate == doctest::Approx(0.915625));
    CHECK(*s.project_data.trends.throughput == doctest::Approx(1.1));
    REQUIRE(s.project_workflow_data.size() == 2);
    CHECK(s.project_workflow_data[1].workflow_name == "lint");
    CHECK(*s.project_workflow_data[1].metrics.p95_duration_secs == doctest::Approx(96.0));  // integer literal
    CHECK_FALSE(s.project_workflow_data[1].branch);
    REQUIRE(s.project_workflow_branch_data.size() == 1);
    CHECK(s.project_workflow_branch_data[0].branch == "main");
    CHECK(s.all_branches.size() == 3);
    CHECK(s.all_workflows == std::vector<std::string>{"build-and-test", "lint"});
}

TEST_CASE("spec body: workflow runs with a running approval workflow") {
    const auto& page = ok(parse_workflow_runs_page(slurp(kData / "workflow-runs.json")));
    CHECK(page.next_page_token == "eyJ0eXBlIjoid29ya2Zsb3ctcnVucyIsInBhZ2UiOjJ9");
    REQUIRE(page.items.size() == 3);
    CHECK(page.items[0].branch == "main");
    CHECK(page.items[0].status == WorkflowStatus::success);
    CHECK(page.items[1].is_approval);
    CHECK_FALSE(page.items[1].status);
    CHECK_FALSE(page.items[1].duration);
    CHECK_FALSE(page.items[1].stopped_at);
    CHECK(page.items[1].credits_used == 0);
    CHECK(page.items[2].status == WorkflowStatus::failed);
}

TEST_CASE("parse_error_message") {
    CHECK(parse_error_message(R"({"message": "Project not found"})") == "Project not found");
    CHECK(parse_error_message(R"({"message":"Rate limit exceeded.","extra":1})") == "Rate limit exceeded.");
    CHECK_FALSE(parse_error_message("<html><body>502 Bad Gateway</body></html>"));
    CHECK_FALSE(parse_error_message(R"({"message": 404})"));
    CHECK_FALSE(parse_error_message(R"({"error": "nope"})"));
    CHECK_FALSE(parse_error_message(R"(["message"])"));
    CHECK_FALSE(parse_error_message(""));
    ParseLimits tiny;
    tiny.max_body_bytes = 8;
    CHECK_FALSE(parse_error_message(R"({"message": "too long for the cap"})", tiny));
}

TEST_CASE("contexts page: the spec's Context items; created_at may be absent, id and name may not") {
    const auto page = ok(parse_contexts_page(
        R"({"items":[{"id":"5a3b0e1c-2d4f-4a6b-8c9d-0e1f2a3b4c5d","name":"svc-webshop-prod","created_at":"2015-09-21T17:29:21.042Z"},)"
        R"({"id":"6b4c1f2d-3e5a-4b7c-9d0e-1f2a3b4c5d6e","name":"shared"}],"next_page_token":"tok"})"));
    REQUIRE(page.items.size() == 2);
    CHECK(page.items[0].name == "svc-webshop-prod");
    CHECK(page.items[0].created_at);
    CHECK_FALSE(page.items[1].created_at);
    CHECK(page.next_page_token == "tok");
    CHECK(error_of(parse_contexts_page(R"({"items":[{"id":"x"}],"next_page_token":null})")) ==
          "items[0].name: missing");
    CHECK(error_of(parse_contexts_page(R"({"items":[{"id":1,"name":"a"}],"next_page_token":null})"))
              .rfind("items[0].id: expected a string", 0) == 0);
    CHECK(error_of(parse_contexts_page("[]")).rfind("body: expected an object", 0) == 0);
}

TEST_CASE("an old workflow with a null pipeline_id reads as one with none, and the page as a whole") {
    // Recorded from circleci.com: old workflows carry "pipeline_id": null, "pipeline_number": null.
    const std::string page = R"({"next_page_token":null,"items":[
        {"id":"w1","name":"build","status":"success","created_at":"2019-03-01T10:00:00Z","stopped_at":"2019-03-01T10:04:00Z",
         "pipeline_id":null,"pipeline_number":null,"project_slug":"gh/acme/legacy"},
        {"id":"w2","name":"deploy","status":"failed","created_at":"2019-03-01T10:05:00Z","stopped_at":"2019-03-01T10:06:00Z",
         "pipeline_id":"5034460f-c7c4-4c43-9457-de07e2029e7b","pipeline_number":12,"project_slug":"gh/acme/legacy"}]})";
    const auto& p = ok(parse_workflows_page(page));
    REQUIRE(p.items.size() == 2);
    CHECK(p.skipped == 0);
    CHECK(p.items[0].pipeline_id.empty());
    CHECK(p.items[0].pipeline_number == 0);
    CHECK(p.items[1].status == WorkflowStatus::failed);  // the failed one still decides the outcome
}
