// Pure parsers: CircleCI API v2 response body text -> typed model (circleci/model.hpp).
// No I/O. Errors name the JSON path, e.g. "items[3].status: expected a string, got number".
#pragma once

#include "circleci/model.hpp"
#include "tjc/expected.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tjc::circleci {

// Bounds on what a parser accepts; the defaults match the client's response-size cap.
struct ParseLimits {
    std::size_t max_body_bytes = 4 * 1024 * 1024;  // larger bodies are rejected before parsing
    std::size_t max_depth = 32;                    // deepest nesting of arrays/objects
};

// RFC 3339 date-time: "2026-01-01T12:00:00Z", "2026-01-01T12:00:00.123456+02:00".
// Fractions are truncated to milliseconds; a leap second (:60) is accepted.
std::optional<Timestamp> parse_timestamp(std::string_view text);
// "2026-01-01T12:00:00.123Z" (always UTC, always milliseconds).
std::string format_timestamp(Timestamp t);

// Lists: a null, missing or empty "next_page_token" gives Page::next_page_token == nullopt.

// GET /project/{slug}/pipeline
Expected<Page<Pipeline>> parse_pipelines_page(std::string_view body, const ParseLimits& limits = {});
// GET /pipeline/{id}, GET /project/{slug}/pipeline/{number}
Expected<Pipeline> parse_pipeline(std::string_view body, const ParseLimits& limits = {});
// GET /pipeline/{id}/workflow
Expected<Page<Workflow>> parse_workflows_page(std::string_view body, const ParseLimits& limits = {});
// GET /workflow/{id}
Expected<Workflow> parse_workflow(std::string_view body, const ParseLimits& limits = {});
// GET /workflow/{id}/job
Expected<Page<Job>> parse_jobs_page(std::string_view body, const ParseLimits& limits = {});
// GET /insights/{slug}/workflows
Expected<Page<WorkflowMetrics>> parse_workflow_metrics_page(std::string_view body, const ParseLimits& limits = {});
// GET /insights/{slug}/workflows/{name}
Expected<Page<WorkflowRun>> parse_workflow_runs_page(std::string_view body, const ParseLimits& limits = {});
// GET /insights/{slug}/workflows/{name}/summary
Expected<WorkflowSummary> parse_workflow_summary(std::string_view body, const ParseLimits& limits = {});
// GET /insights/pages/{slug}/summary
Expected<ProjectPageSummary> parse_project_page_summary(std::string_view body, const ParseLimits& limits = {});
// GET /project/{slug}
Expected<Project> parse_project(std::string_view body, const ParseLimits& limits = {});
// GET /me
Expected<User> parse_user(std::string_view body, const ParseLimits& limits = {});
// GET /context?owner-id=...
Expected<Page<Context>> parse_contexts_page(std::string_view body, const ParseLimits& limits = {});

// The "message" of an error body {"message": "..."}; nullopt for anything else (not JSON, not
// an object, no string message). Never fails.
std::optional<std::string> parse_error_message(std::string_view body, const ParseLimits& limits = {});

}  // namespace tjc::circleci
