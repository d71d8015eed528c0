// CircleCI API v2 parsers: Hostile and malformed bodies: every parser refuses or tolerates them as the spec allows, never crashes.
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
