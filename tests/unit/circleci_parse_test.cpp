// CircleCI API v2 parsers against CircleCI's documented examples (tests/data/circleci/examples),
// bodies shaped by the spec (tests/data/circleci), hostile input, and the test server's world.
#include "circleci/parse.hpp"

#include <doctest/doctest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace tjc::circleci;
using namespace std::chrono;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(TJC_TEST_DATA_DIR) / "circleci";
const fs::path kExamples = kData / "examples";
const fs::path kWorld = fs::path(TJC_FIXTURES_DIR) / "world.json";

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Timestamp utc(year_month_day ymd, hours h = hours{0}, minutes m = minutes{0}, seconds s = seconds{0},
              milliseconds ms = milliseconds{0}) {
    return Timestamp{sys_days{ymd}} + h + m + s + ms;
}

// The first error of a parse that must fail.
template <typename T>
std::string error_of(const tjc::Expected<T>& r) {
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
std::string pipeline_with(const std::string& key, const std::string& value) {
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

std::string page_of(const std::string& item) { return R"({"next_page_token": null, "items": [)" + item + "]}"; }

}  // namespace

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

// ---------------------------------------------------------------------------------------------
// Hostile and malformed bodies

TEST_CASE("non-object bodies are rejected by every parser") {
    for (const char* body : {"[]", "\"pipeline\"", "42", "null", "true"}) {
        CAPTURE(body);
        CHECK(error_of(parse_pipeline(body)).rfind("body: expected an object, got ", 0) == 0);
        CHECK(error_of(parse_pipelines_page(body)).rfind("body: expected an object", 0) == 0);
        CHECK(error_of(parse_workflows_page(body)).rfind("body: expected an object", 0) == 0);
        CHECK(error_of(parse_workflow(body)).rfind("body: expected an object", 0) == 0);
        CHECK(error_of(parse_jobs_page(body)).rfind("body: expected an object", 0) == 0);
        CHECK(error_of(parse_workflow_metrics_page(body)).rfind("body: expected an object", 0) == 0);
        CHECK(error_of(parse_workflow_runs_page(body)).rfind("body: expected an object", 0) == 0);
        CHECK(error_of(parse_workflow_summary(body)).rfind("body: expected an object", 0) == 0);
        CHECK(error_of(parse_project_page_summary(body)).rfind("body: expected an object", 0) == 0);
        CHECK(error_of(parse_project(body)).rfind("body: expected an object", 0) == 0);
        CHECK(error_of(parse_user(body)).rfind("body: expected an object", 0) == 0);
    }
    CHECK(error_of(parse_user("[1]")) == "body: expected an object, got array");
}

TEST_CASE("invalid JSON is reported with its byte offset") {
    for (const char* body :
         {"", "{", "{\"id\": }", "{'id': 'x'}", "{\"a\":1} trailing", "{\"a\":1,}", "// comment\n{}", "{\"a\": NaN}"}) {
        CAPTURE(body);
        const std::string e = error_of(parse_user(body));
        CHECK(e.rfind("body: invalid JSON at byte ", 0) == 0);
    }
    CHECK(error_of(parse_user("{\"a\":1} x")).find("at byte 8") != std::string::npos);
}

TEST_CASE("invalid UTF-8 inside a string is rejected") {
    const std::string body = "{\"id\":\"a\xff\",\"login\":\"x\",\"name\":\"y\"}";
    CHECK(error_of(parse_user(body)).rfind("body: invalid JSON", 0) == 0);
}

TEST_CASE("deep nesting stops at the depth limit without crashing") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK(error_of(parse_pipelines_page(deep)).rfind("body: invalid JSON", 0) == 0);
    // A deeply nested unknown field inside a valid body, also beyond the limit.
    const std::string hidden =
        R"({"id":"i","login":"l","name":"n","x":)" + std::string(40, '[') + std::string(40, ']') + "}";
    CHECK(error_of(parse_user(hidden)).rfind("body: invalid JSON", 0) == 0);
    // Within the limit, unknown nested fields are ignored.
    const std::string shallow =
        R"({"id":"i","login":"l","name":"n","x":)" + std::string(10, '[') + std::string(10, ']') + "}";
    CHECK(ok(parse_user(shallow)).login == "l");
    // A tighter limit rejects an ordinary page (items -> pipeline -> trigger -> actor).
    ParseLimits shallow_limits;
    shallow_limits.max_depth = 3;
    CHECK_FALSE(parse_pipelines_page(page_of(pipeline_with("number", "1")), shallow_limits).has_value());
    CHECK(parse_pipelines_page(page_of(pipeline_with("number", "1"))).has_value());
}

TEST_CASE("bodies over the size cap are rejected before parsing") {
    ParseLimits limits;
    limits.max_body_bytes = 64;
    const std::string body = pipeline_with("number", "1");
    REQUIRE(body.size() > 64);
    const std::string e = error_of(parse_pipeline(body, limits));
    CHECK(e == "body: " + std::to_string(body.size()) + " bytes exceeds the limit of 64");
    limits.max_body_bytes = body.size();
    CHECK(parse_pipeline(body, limits).has_value());
    // Default cap: 4 MiB.
    std::string huge = R"({"id":"i","login":"l","name":"n","pad":")" + std::string(4 * 1024 * 1024, 'x') + "\"}";
    CHECK(error_of(parse_user(huge)).find("exceeds the limit of 4194304") != std::string::npos);
}

TEST_CASE("wrong types name the JSON path") {
    const std::string bad_status = R"({"next_page_token":null,"items":[)" +
                                   json::serialize(json::parse(slurp(kData / "workflow-by-id.json"))) + "," +
                                   R"({"id":"w","name":"n","status":7,"created_at":"2026-01-01T00:00:00Z",
                                       "pipeline_id":"p","pipeline_number":1,"project_slug":"gh/a/b"}]})";
    // One odd item of a page costs itself: left out, counted, its problem kept (issue 13.8).
    const auto& lenient = ok(parse_workflows_page(bad_status));
    CHECK(lenient.items.size() == 1);
    CHECK(lenient.skipped == 1);
    CHECK(lenient.skipped_problem == "items[1].status: expected a string, got number");
    CHECK(error_of(parse_pipeline(pipeline_with("number", "\"12\""))) == "number: expected an integer, got string");
    CHECK(error_of(parse_pipeline(pipeline_with("project_slug", "[]"))) ==
          "project_slug: expected a string, got array");
    CHECK(error_of(parse_pipeline(pipeline_with("errors", "{}"))) == "errors: expected an array, got object");
    CHECK(error_of(parse_pipeline(pipeline_with("errors", R"([{"type":"config"}])"))) == "errors[0].message: missing");
    CHECK(error_of(parse_pipeline(pipeline_with("trigger", R"({"type":"api","actor":{"login":5}})"))) ==
          "trigger.actor.login: expected a string, got number");
    CHECK(error_of(parse_pipeline(pipeline_with("trigger_parameters", "[]"))) ==
          "trigger_parameters: expected an object, got array");
    CHECK(error_of(parse_workflow_runs_page(
              page_of(R"({"id":"r","created_at":"2026-01-01T00:00:00Z","is_approval":"true"})"))) ==
          "items[0].is_approval: expected a boolean, got string");
}

TEST_CASE("nested paths in pipelines pages") {
    const std::string item =
        pipeline_with("vcs", R"({"provider_name":"GitHub","revision":"abc","commit":{"subject":7,"body":null}})");
    const std::string page = R"({"next_page_token":null,"items":[)" + pipeline_with("number", "1") + "," +
                             pipeline_with("number", "2") + "," + item + "]}";
    const auto& lenient = ok(parse_pipelines_page(page));
    CHECK(lenient.items.size() == 2);
    CHECK(lenient.skipped == 1);
    CHECK(lenient.skipped_problem == "items[2].vcs.commit.subject: expected a string, got number");
    // A page of nothing but odd items is not the list asked for: the first one's problem.
    CHECK(error_of(parse_pipelines_page(R"({"items":[1],"next_page_token":null})")) ==
          "items[0]: expected an object, got number");
    CHECK(error_of(parse_pipelines_page(R"({"items":{},"next_page_token":null})")) ==
          "items: expected an array, got object");
}

TEST_CASE("huge and fractional numbers") {
    // Spliced in as text: Boost.JSON reads 1e400 as infinity, which it cannot write back.
    std::string inf = pipeline_with("number", "12");
    const std::string twelve = "\"number\":12";
    REQUIRE(inf.find(twelve) != std::string::npos);
    inf.replace(inf.find(twelve), twelve.size(), "\"number\":1e400");
    CHECK(error_of(parse_pipeline(inf)) == "number: integer out of range");
    CHECK(error_of(parse_pipeline(pipeline_with("number", "99999999999999999999"))) == "number: integer out of range");
    CHECK(error_of(parse_pipeline(pipeline_with("number", "18446744073709551615"))) == "number: integer out of range");
    CHECK(error_of(parse_pipeline(pipeline_with("number", "9223372036854775808"))) == "number: integer out of range");
    CHECK(error_of(parse_pipeline(pipeline_with("number", "12.5"))) == "number: expected an integer, got number");
    CHECK(ok(parse_pipeline(pipeline_with("number", "9223372036854775807"))).number == INT64_MAX);
    CHECK(ok(parse_pipeline(pipeline_with("number", "-9223372036854775808"))).number == INT64_MIN);
    CHECK(ok(parse_pipeline(pipeline_with("number", "12.0"))).number == 12);
    CHECK(ok(parse_pipeline(pipeline_with("number", "1.2e3"))).number == 1200);
    const std::string metrics =
        R"({"next_page_token":null,"items":[{"name":"b","metrics":{"total_runs":1,"success_rate":1e400}}]})";
    CHECK(error_of(parse_workflow_metrics_page(metrics)) == "items[0].metrics.success_rate: number out of range");
    // Large but finite floats are kept (Prism's dynamic mode sends -3.4e38).
    const std::string big =
        R"({"next_page_token":null,"items":[{"name":"b","metrics":{"total_runs":1,"success_rate":-3.402823669209385e+38}}]})";
    CHECK(ok(parse_workflow_metrics_page(big)).items[0].metrics.success_rate ==
          doctest::Approx(-3.402823669209385e+38));
}

TEST_CASE("missing required fields") {
    CHECK(error_of(parse_pipeline(pipeline_with("id", ""))) == "id: missing");
    CHECK(error_of(parse_pipeline(pipeline_with("trigger", ""))) == "trigger: missing");
    CHECK(error_of(parse_pipeline(pipeline_with("created_at", ""))) == "created_at: missing");
    CHECK(error_of(parse_workflows_page(R"({"next_page_token":null})")) == "items: missing");
    CHECK(error_of(parse_user(R"({"id":"i","name":"n"})")) == "login: missing");
    CHECK(error_of(parse_project(R"({"slug":"gh/a/b","name":"b","organization_name":"a"})")) == "vcs_info: missing");
    CHECK(
        error_of(parse_project(
            R"({"slug":"gh/a/b","name":"b","organization_name":"a","vcs_info":{"vcs_url":"u","provider":"GitHub"}})")) ==
        "vcs_info.default_branch: missing");
    CHECK(error_of(parse_workflow_summary(R"({"trends":{}})")) == "metrics: missing");
    CHECK(error_of(parse_workflow_metrics_page(R"({"items":[{"name":"b","metrics":{"total_runs":1}}]})")) ==
          "items[0].metrics.success_rate: missing");
}

TEST_CASE("null where the spec does not allow it") {
    CHECK(error_of(parse_pipeline(pipeline_with("number", "null"))) == "number: expected an integer, got null");
    CHECK(error_of(parse_pipeline(pipeline_with("created_at", "null"))) ==
          "created_at: expected an RFC 3339 timestamp string, got null");
    CHECK(error_of(parse_workflow(R"({"id":"w","name":"n","status":null,"created_at":"2026-01-01T00:00:00Z",
                                      "pipeline_id":"p","pipeline_number":1,"project_slug":"gh/a/b"})")) ==
          "status: expected a string, got null");
    CHECK(error_of(parse_pipelines_page(R"({"items":null,"next_page_token":null})")) ==
          "items: expected an array, got null");
    CHECK(error_of(parse_user(R"({"id":"i","login":null,"name":"n"})")) == "login: expected a string, got null");
}

TEST_CASE("null where the spec allows it") {
    auto p = ok(parse_pipeline(pipeline_with("vcs", "null")));
    CHECK_FALSE(p.vcs);
    p = ok(parse_pipeline(pipeline_with("trigger_parameters", "null")));
    CHECK(p.trigger_parameters.empty());
    p = ok(parse_pipeline(pipeline_with("updated_at", "null")));
    CHECK_FALSE(p.updated_at);
    p = ok(parse_pipeline(pipeline_with("errors", "null")));
    CHECK(p.errors.empty());
    const auto& jobs = ok(parse_jobs_page(page_of(R"({"id":"j","name":"n","status":null,"type":"build",
                                                      "started_at":null,"stopped_at":null,"job_number":null})")));
    CHECK(jobs.items[0].status == JobStatus::unknown);
    CHECK_FALSE(jobs.items[0].job_number);
    const auto& metrics = ok(parse_workflow_metrics_page(
        R"({"next_page_token":null,"items":[{"name":"b","metrics":{"total_runs":3,"success_rate":0,"mttr":null,
            "total_credits_used":null,"duration_metrics":{"min":null,"max":null,"median":null,"mean":null,"p95":null,
            "standard_deviation":null}},"window_start":"2026-01-01T00:00:00Z","window_end":"2026-01-01T00:00:00Z"}]})"));
    CHECK_FALSE(metrics.items[0].metrics.mttr);
    CHECK_FALSE(metrics.items[0].metrics.duration_metrics.median);
    CHECK(metrics.items[0].metrics.success_rate == 0.0);
}

TEST_CASE("timestamps that are not RFC 3339 name the field and echo a short value") {
    CHECK(error_of(parse_pipeline(pipeline_with("created_at", "\"yesterday\""))) ==
          "created_at: expected an RFC 3339 timestamp, got \"yesterday\"");
    CHECK(error_of(parse_pipeline(pipeline_with("created_at", "1767268800"))) ==
          "created_at: expected an RFC 3339 timestamp string, got number");
    const std::string e = error_of(parse_pipeline(pipeline_with("created_at", "\"" + std::string(5000, '9') + "\"")));
    CHECK(e.size() < 120);
    CHECK(e.find("...") != std::string::npos);
}

TEST_CASE("unknown enum strings and unknown fields are not errors") {
    auto p = ok(parse_pipeline(pipeline_with("state", "\"brand-new-state\"")));
    CHECK(p.state == PipelineState::unknown);
    p = ok(parse_pipeline(pipeline_with("whatever_circleci_adds_next", R"({"a":[1,{"b":null}]})")));
    CHECK(p.number == 12);
    const auto& jobs = ok(parse_jobs_page(page_of(R"({"id":"j","name":"n","status":"paused","type":"manual"})")));
    CHECK(jobs.items[0].status == JobStatus::unknown);
    CHECK(jobs.items[0].type == JobType::unknown);
    const auto& runs =
        ok(parse_workflow_runs_page(page_of(R"({"id":"r","created_at":"2026-01-01T00:00:00Z","status":"on_hold"})")));
    CHECK(runs.items[0].status == WorkflowStatus::on_hold);
}

TEST_CASE("next_page_token: string, null, missing, empty, wrong type") {
    CHECK(ok(parse_jobs_page(R"({"items":[],"next_page_token":"t1"})")).next_page_token == "t1");
    CHECK_FALSE(ok(parse_jobs_page(R"({"items":[],"next_page_token":null})")).next_page_token);
    CHECK_FALSE(ok(parse_jobs_page(R"({"items":[]})")).next_page_token);
    CHECK_FALSE(ok(parse_jobs_page(R"({"items":[],"next_page_token":""})")).next_page_token);
    CHECK(error_of(parse_jobs_page(R"({"items":[],"next_page_token":5})")) ==
          "next_page_token: expected a string, got number");
}

TEST_CASE("Prism --dynamic style bodies: odd but schema-valid values are accepted") {
    // Random extra properties, negative numbers, dates in the 1800s, object-valued untyped ids.
    const auto& page = ok(parse_workflow_metrics_page(R"({"next_page_token":null,"items":[{
        "name":"x","project_id":{"k":1},"window_start":"1843-03-02T08:21:55.372Z",
        "window_end":"1907-11-30T23:59:59Z","Lorem":{"ipsum":[true]},
        "metrics":{"total_runs":-71384928,"success_rate":-3.402823669209385e+38,"throughput":0,
                   "duration_metrics":{"min":-5,"p95":null,"standard_deviation":1}}}]})"));
    const auto& m = page.items.at(0);
    CHECK_FALSE(m.project_id);
    CHECK(m.metrics.total_runs == -71384928);
    CHECK(m.metrics.duration_metrics.min == -5);
    CHECK(*m.metrics.duration_metrics.standard_deviation == 1.0);
    CHECK(m.window_start == utc(1843y / 3 / 2, hours{8}, minutes{21}, seconds{55}, milliseconds{372}));
    CHECK(format_timestamp(*m.window_end) == "1907-11-30T23:59:59.000Z");
}

TEST_CASE("untyped ids (project_id, org_id) are kept only when they are strings") {
    const auto& s = ok(parse_project_page_summary(R"({"org_id":{"weird":true},"project_id":"p-1"})"));
    CHECK_FALSE(s.org_id);
    CHECK(s.project_id == "p-1");
    CHECK(s.project_workflow_data.empty());
    CHECK_FALSE(s.project_data.metrics.total_runs);
    CHECK(error_of(parse_project_page_summary(R"({"project_workflow_data":[{"metrics":{}}]})")) ==
          "project_workflow_data[0].workflow_name: missing");
}

TEST_CASE("trigger parameter values become text") {
    const auto& p = ok(parse_pipeline(pipeline_with(
        "trigger_parameters", R"({"s":"x","t":true,"f":false,"i":-4,"d":1.5,"n":null,"a":[1],"o":{"k":"v"}})")));
    CHECK(p.trigger_parameters ==
          std::map<std::string, std::string>{{"s", "x"}, {"t", "true"}, {"f", "false"}, {"i", "-4"}, {"d", "1.5"}});
}

TEST_CASE("every prefix of every documented body is handled without crashing") {
    // A connection cut mid-body hands the parser a prefix: each must be an error, never UB.
    const std::vector<std::pair<fs::path, int>> bodies{{kExamples / "list-pipelines-for-project.json", 0},
                                                       {kExamples / "get-project-by-slug.json", 1},
                                                       {kExamples / "get-project-workflow-metrics.json", 2},
                                                       {kData / "jobs-of-workflow.json", 3},
                                                       {kData / "pages-summary.json", 4},
                                                       {kData / "workflow-summary.json", 5},
                                                       {kData / "workflow-runs.json", 6},
                                                       {kData / "workflows-of-pipeline.json", 7}};
    for (const auto& [path, parser] : bodies) {
        const std::string full = slurp(path);
        std::size_t accepted = 0;
        for (std::size_t len = 0; len < full.size(); ++len) {
            const std::string_view prefix(full.data(), len);
            bool parsed = false;
            switch (parser) {
                case 0: parsed = parse_pipelines_page(prefix).has_value(); break;
                case 1: parsed = parse_project(prefix).has_value(); break;
                case 2: parsed = parse_workflow_metrics_page(prefix).has_value(); break;
                case 3: parsed = parse_jobs_page(prefix).has_value(); break;
                case 4: parsed = parse_project_page_summary(prefix).has_value(); break;
                case 5: parsed = parse_workflow_summary(prefix).has_value(); break;
                case 6: parsed = parse_workflow_runs_page(prefix).has_value(); break;
                default: parsed = parse_workflows_page(prefix).has_value(); break;
            }
            accepted += parsed;
            CHECK_FALSE(parse_error_message(prefix));
        }
        const std::string file = path.string();  // clang 14 captures no structured binding
        CAPTURE(file);
        // Only the complete object (minus trailing whitespace) may parse.
        CHECK(accepted <= 1);
    }
}

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
