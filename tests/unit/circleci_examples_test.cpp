// CircleCI API v2 parsers: CircleCI's documented example bodies (tests/data/circleci/examples), each parsed, and none left out.
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
// CircleCI's documented examples

TEST_CASE("example get-current-user.json") {
    const auto& u = ok(parse_user(slurp(kExamples / "get-current-user.json")));
    CHECK(u.id == "string");
    CHECK(u.login == "string");
    CHECK(u.name == "string");
    CHECK_FALSE(u.avatar_url);  // the guide's example predates avatar_url
}

TEST_CASE("example list-pipelines-for-project.json") {
    const auto& page = ok(parse_pipelines_page(slurp(kExamples / "list-pipelines-for-project.json")));
    CHECK_FALSE(page.next_page_token);
    REQUIRE(page.items.size() == 1);
    const Pipeline& p = page.items[0];
    CHECK(p.id == "03fcbba0-d847-4c8b-a553-6fdd7854b893");
    CHECK(p.number == 1);
    CHECK(p.project_slug == "gh/{YOUR_USER_NAME}/hello-world");
    CHECK(p.state == PipelineState::created);
    CHECK(p.created_at == utc(2020y / 1 / 10, hours{19}, minutes{45}, seconds{58}, milliseconds{517}));
    CHECK(p.updated_at == p.created_at);
    CHECK(p.trigger.type == "api");
    CHECK(p.trigger.received_at == utc(2020y / 1 / 10, hours{19}, minutes{45}, seconds{58}, milliseconds{489}));
    CHECK(p.trigger.actor_login == "teesloane");
    REQUIRE(p.vcs);
    CHECK(p.vcs->revision == "ca67134f650e362133e51a9ffdb8e5ddc7fa53a5");
    CHECK(p.vcs->branch == "master");
    CHECK_FALSE(p.vcs->tag);
    CHECK(p.vcs->provider_name == "GitHub");
    CHECK(p.vcs->origin_repository_url == "https://github.com/{YOUR_USER_NAME}/hello-world");
    CHECK_FALSE(p.vcs->commit_subject);
    CHECK(p.errors.empty());
    CHECK(p.trigger_parameters.empty());
}

TEST_CASE("example get-project-by-slug.json: missing optional ids are absent") {
    const auto& p = ok(parse_project(slurp(kExamples / "get-project-by-slug.json")));
    CHECK(p.slug == "gh/CircleCI-Public/api-preview-docs");
    CHECK(p.name == "api-preview-docs");
    CHECK(p.organization_name == "CircleCI-Public");
    CHECK_FALSE(p.id);
    CHECK_FALSE(p.organization_slug);
    CHECK_FALSE(p.organization_id);
    CHECK(p.vcs_info.vcs_url == "https://github.com/CircleCI-Public/api-preview-docs");
    CHECK(p.vcs_info.provider == "GitHub");
    CHECK(p.vcs_info.default_branch == "master");
}

TEST_CASE("example get-project-workflow-metrics.json") {
    const auto& page = ok(parse_workflow_metrics_page(slurp(kExamples / "get-project-workflow-metrics.json")));
    CHECK_FALSE(page.next_page_token);
    REQUIRE(page.items.size() == 3);
    const auto& build = page.items[0];
    CHECK(build.name == "build");
    CHECK(build.metrics.success_rate == doctest::Approx(0.5975609756097561));
    CHECK(build.metrics.total_runs == 82);
    CHECK(build.metrics.failed_runs == 33);
    CHECK(build.metrics.successful_runs == 49);
    CHECK(*build.metrics.throughput == doctest::Approx(11.714285714285714));
    CHECK(build.metrics.mttr == 46466);
    CHECK(build.metrics.total_credits_used == 16216608);
    CHECK_FALSE(build.metrics.total_recoveries);  // omitted by the guide
    CHECK(build.metrics.duration_metrics.min == 8796);
    CHECK(build.metrics.duration_metrics.max == 20707);
    CHECK(build.metrics.duration_metrics.median == 11656);
    CHECK(build.metrics.duration_metrics.mean == 12847);
    CHECK(build.metrics.duration_metrics.p95 == 18856);
    CHECK(*build.metrics.duration_metrics.standard_deviation == doctest::Approx(3489.0));
    CHECK(build.window_start == utc(2020y / 1 / 15, hours{3}, minutes{20}, seconds{24}, milliseconds{927}));
    CHECK(build.window_end == utc(2020y / 1 / 21, hours{23}, minutes{23}, seconds{4}, milliseconds{390}));
    CHECK_FALSE(build.project_id);
    CHECK(page.items[1].name == "docker_build");
    CHECK(page.items[1].metrics.success_rate == doctest::Approx(1.0));
    CHECK(page.items[2].name == "ecr_gc");
    CHECK(page.items[2].metrics.total_runs == 167);
}

TEST_CASE("example get-project-workflow-metrics.pagination-snippet.json: token and sparse metrics") {
    const auto& page =
        ok(parse_workflow_metrics_page(slurp(kExamples / "get-project-workflow-metrics.pagination-snippet.json")));
    CHECK(page.next_page_token == "abc123def456");
    REQUIRE(page.items.size() == 1);
    CHECK(page.items[0].name == "build");
    CHECK(page.items[0].metrics.success_rate == doctest::Approx(0.95));
    CHECK(page.items[0].metrics.total_runs == 100);
    CHECK_FALSE(page.items[0].metrics.failed_runs);
    CHECK_FALSE(page.items[0].metrics.throughput);
    CHECK_FALSE(page.items[0].window_start);
    CHECK_FALSE(page.items[0].metrics.duration_metrics.p95);
}

TEST_CASE("example get-job-details.json: its null status reads as unknown in a jobs page") {
    // The job-details endpoint is not one we call, but its documented `"status": null` is the
    // reason JobStatus tolerates null: put that object (plus the list-only id/type) in a page.
    json::object job = json::parse(slurp(kExamples / "get-job-details.json")).as_object();
    REQUIRE(job["status"].is_null());
    job["id"] = "4b1d2c3e-0000-4000-8000-000000000001";
    job["type"] = "build";
    const auto& page = ok(parse_jobs_page(page_of(json::serialize(job))));
    REQUIRE(page.items.size() == 1);
    CHECK(page.items[0].status == JobStatus::unknown);
    CHECK(page.items[0].name == "string");
    CHECK(page.items[0].started_at == utc(2020y / 1 / 24, hours{11}, minutes{33}, seconds{40}));
    CHECK(page.items[0].stopped_at == utc(2020y / 1 / 13, hours{18}, minutes{51}, seconds{40}));
    CHECK_FALSE(page.items[0].job_number);  // that endpoint says "number", not "job_number"
}

TEST_CASE("example get-project-workflow-runs fragment: parses once its cut-off list is closed") {
    std::string text = slurp(kExamples / "get-project-workflow-runs.TRUNCATED-docs-fragment.txt");
    CHECK_FALSE(parse_workflow_runs_page(text).has_value());  // as published: cut off
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == ',')) {
        text.pop_back();
    }
    text += "], \"next_page_token\": null}";
    const auto& page = ok(parse_workflow_runs_page(text));
    REQUIRE(page.items.size() == 7);
    const WorkflowRun& r = page.items[0];
    CHECK(r.id == "08863cb6-3185-4c2f-a44e-b517b7f695a6");
    CHECK(r.status == WorkflowStatus::failed);
    CHECK(r.duration == 9263);
    CHECK(r.created_at == utc(2020y / 1 / 21, hours{20}, minutes{34}, seconds{50}, milliseconds{223}));
    CHECK(r.stopped_at == utc(2020y / 1 / 21, hours{23}, minutes{9}, seconds{13}, milliseconds{953}));
    CHECK(r.credits_used == 198981);
    CHECK_FALSE(r.branch);  // the guide omits branch and is_approval
    CHECK_FALSE(r.is_approval);
    CHECK(page.items[3].status == WorkflowStatus::success);
}

TEST_CASE("every JSON example in tests/data/circleci/examples is covered by a case above") {
    const std::set<std::string> covered{"get-current-user.json",
                                        "list-pipelines-for-project.json",
                                        "get-project-by-slug.json",
                                        "get-project-workflow-metrics.json",
                                        "get-project-workflow-metrics.pagination-snippet.json",
                                        "get-job-details.json"};
    int json_files = 0;
    for (const auto& entry : fs::directory_iterator(kExamples)) {
        if (entry.path().extension() != ".json") {
            continue;
        }
        ++json_files;
        CAPTURE(entry.path().filename().string());
        CHECK(covered.count(entry.path().filename().string()) == 1);
        boost::system::error_code ec;
        (void)json::parse(slurp(entry.path()), ec);
        CHECK_FALSE(ec);
    }
    CHECK(json_files == static_cast<int>(covered.size()));
}
