// Typed CircleCI API v2 response bodies: only the fields the cards use.
//
// Optionality rule: a field is a plain value when the spec (openapi-v2.json) requires it AND
// every documented example carries it; anything else is std::optional (the guide's examples
// omit some spec-required fields, see docs/circleci-api.md and
// tests/fixtures/circleci/SOURCE.md).
// Parsers (circleci/parse.hpp) are strict about types and ignore unknown fields; unknown enum
// strings become `unknown`, never an error.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tjc::circleci {

// RFC 3339 instant, UTC, millisecond precision (finer fractions are truncated).
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// ---------------------------------------------------------------------------------------------
// Enums. Each has `unknown` for values CircleCI adds later (and, for jobs, for `null`).

enum class WorkflowStatus {
    success,
    running,
    not_run,
    failed,
    error,
    failing,
    on_hold,
    canceled,
    unauthorized,
    unknown
};

enum class JobStatus {
    success,
    running,
    not_run,
    failed,
    retried,
    queued,
    not_running,
    infrastructure_fail,
    timedout,
    on_hold,
    terminated_unknown,
    blocked,
    canceled,
    unauthorized,
    unknown
};

// A pipeline's state is not its outcome: the outcome is its workflows' status.
enum class PipelineState { created, errored, setup_pending, setup, pending, unknown };

enum class JobType { build, approval, unknown };

namespace detail {
template <typename E, std::size_t N>
constexpr E enum_from(const std::array<std::pair<std::string_view, E>, N>& table, std::string_view s, E fallback) {
    for (const auto& [name, value] : table) {
        if (name == s) {
            return value;
        }
    }
    return fallback;
}
template <typename E, std::size_t N>
constexpr std::string_view enum_name(const std::array<std::pair<std::string_view, E>, N>& table, E e) {
    for (const auto& [name, value] : table) {
        if (value == e) {
            return name;
        }
    }
    return "unknown";
}

inline constexpr std::array<std::pair<std::string_view, WorkflowStatus>, 9> kWorkflowStatusNames{{
    {"success", WorkflowStatus::success},
    {"running", WorkflowStatus::running},
    {"not_run", WorkflowStatus::not_run},
    {"failed", WorkflowStatus::failed},
    {"error", WorkflowStatus::error},
    {"failing", WorkflowStatus::failing},
    {"on_hold", WorkflowStatus::on_hold},
    {"canceled", WorkflowStatus::canceled},
    {"unauthorized", WorkflowStatus::unauthorized},
}};
inline constexpr std::array<std::pair<std::string_view, JobStatus>, 14> kJobStatusNames{{
    {"success", JobStatus::success},
    {"running", JobStatus::running},
    {"not_run", JobStatus::not_run},
    {"failed", JobStatus::failed},
    {"retried", JobStatus::retried},
    {"queued", JobStatus::queued},
    {"not_running", JobStatus::not_running},
    {"infrastructure_fail", JobStatus::infrastructure_fail},
    {"timedout", JobStatus::timedout},
    {"on_hold", JobStatus::on_hold},
    {"terminated-unknown", JobStatus::terminated_unknown},
    {"blocked", JobStatus::blocked},
    {"canceled", JobStatus::canceled},
    {"unauthorized", JobStatus::unauthorized},
}};
inline constexpr std::array<std::pair<std::string_view, PipelineState>, 5> kPipelineStateNames{{
    {"created", PipelineState::created},
    {"errored", PipelineState::errored},
    {"setup-pending", PipelineState::setup_pending},
    {"setup", PipelineState::setup},
    {"pending", PipelineState::pending},
}};
inline constexpr std::array<std::pair<std::string_view, JobType>, 2> kJobTypeNames{{
    {"build", JobType::build},
    {"approval", JobType::approval},
}};
}  // namespace detail

// API spelling <-> enum. Unrecognised strings give `unknown`; to_string(unknown) is "unknown".
constexpr WorkflowStatus workflow_status_from_string(std::string_view s) {
    return detail::enum_from(detail::kWorkflowStatusNames, s, WorkflowStatus::unknown);
}
constexpr JobStatus job_status_from_string(std::string_view s) {
    return detail::enum_from(detail::kJobStatusNames, s, JobStatus::unknown);
}
constexpr PipelineState pipeline_state_from_string(std::string_view s) {
    return detail::enum_from(detail::kPipelineStateNames, s, PipelineState::unknown);
}
constexpr JobType job_type_from_string(std::string_view s) {
    return detail::enum_from(detail::kJobTypeNames, s, JobType::unknown);
}
constexpr std::string_view to_string(WorkflowStatus e) { return detail::enum_name(detail::kWorkflowStatusNames, e); }
constexpr std::string_view to_string(JobStatus e) { return detail::enum_name(detail::kJobStatusNames, e); }
constexpr std::string_view to_string(PipelineState e) { return detail::enum_name(detail::kPipelineStateNames, e); }
constexpr std::string_view to_string(JobType e) { return detail::enum_name(detail::kJobTypeNames, e); }

// ---------------------------------------------------------------------------------------------
// Lists: {"items": [...], "next_page_token": string|null}. Pass the token back as `page-token`.

template <typename T>
struct Page {
    std::vector<T> items;
    std::optional<std::string> next_page_token;  // nullopt (null) = last page
    // Items left out because they were not of the expected shape (an old workflow with a null
    // pipeline_id, say): one odd item costs itself, not the page. The first one's problem.
    std::size_t skipped = 0;
    std::string skipped_problem;
};

// ---------------------------------------------------------------------------------------------
// Pipelines: GET /project/{slug}/pipeline, /project/{slug}/pipeline/{number}, /pipeline/{id}

struct PipelineError {
    std::string type;  // config, config-fetch, timeout, permission, other, trigger-rule, plan, ...
    std::string message;
};

struct Trigger {
    std::string type;  // scheduled_pipeline, explicit, api, webhook (kept raw)
    std::optional<Timestamp> received_at;
    std::optional<std::string> actor_login;  // trigger.actor.login
    std::optional<std::string> actor_avatar_url;
};

struct Vcs {
    std::optional<std::string> provider_name;  // "GitHub", "Bitbucket", ...
    std::optional<std::string> origin_repository_url;
    std::optional<std::string> target_repository_url;
    std::optional<std::string> revision;  // 40-hex SHA; nullable in the newer spec
    std::optional<std::string> branch;    // branch and tag are mutually exclusive
    std::optional<std::string> tag;
    std::optional<std::string> review_id;
    std::optional<std::string> review_url;
    std::optional<std::string> commit_subject;  // vcs.commit.subject
    std::optional<std::string> commit_body;     // vcs.commit.body
};

struct Pipeline {
    std::string id;
    std::int64_t number = 0;
    std::string project_slug;
    PipelineState state = PipelineState::unknown;
    Timestamp created_at{};
    std::optional<Timestamp> updated_at;
    Trigger trigger;
    std::optional<Vcs> vcs;
    // String, integer and boolean parameters, as text ("webshop", "42", "true"); object
    // values are skipped.
    std::map<std::string, std::string> trigger_parameters;
    std::vector<PipelineError> errors;
};

// ---------------------------------------------------------------------------------------------
// Workflows: GET /pipeline/{id}/workflow, GET /workflow/{id}

struct Workflow {
    std::string id;
    std::string name;
    WorkflowStatus status = WorkflowStatus::unknown;
    Timestamp created_at{};
    std::optional<Timestamp> stopped_at;  // null while running
    std::string pipeline_id;              // "" when CircleCI gave null (old workflows)
    std::int64_t pipeline_number = 0;
    std::string project_slug;
    std::optional<std::string> tag;  // "setup" for setup workflows
};

// ---------------------------------------------------------------------------------------------
// Jobs: GET /workflow/{id}/job

struct Job {
    std::string id;
    std::string name;
    std::optional<std::int64_t> job_number;  // approval jobs have none
    JobStatus status = JobStatus::unknown;   // null in the API -> unknown
    JobType type = JobType::unknown;
    std::optional<Timestamp> started_at;  // absent/null for blocked and approval jobs
    std::optional<Timestamp> stopped_at;
    std::optional<std::string> approval_request_id;
    std::optional<std::string> project_slug;
    std::vector<std::string> dependencies;  // job ids
};

// ---------------------------------------------------------------------------------------------
// Project and user: GET /project/{slug}, GET /me

struct VcsInfo {
    std::string vcs_url;
    std::string provider;        // "GitHub", "Bitbucket", "CircleCI" (kept raw)
    std::string default_branch;  // never assume "main"
};

struct Project {
    std::string slug;
    std::string name;
    std::optional<std::string> id;
    std::string organization_name;
    std::optional<std::string> organization_slug;
    std::optional<std::string> organization_id;
    VcsInfo vcs_info;
};

struct User {
    std::string id;
    std::string login;
    std::string name;
    std::optional<std::string> avatar_url;
};

// ---------------------------------------------------------------------------------------------
// Contexts: GET /context?owner-id=<organization id> (or owner-slug), paginated

struct Context {
    std::string id;
    std::string name;
    std::optional<Timestamp> created_at;  // required in the spec; not read by the cards
};

// ---------------------------------------------------------------------------------------------
// Insights. Durations are seconds; credits are approximate; data may miss the last 24 hours.

struct DurationMetrics {
    std::optional<std::int64_t> min, max, median, mean, p95;
    std::optional<double> standard_deviation;
};

// metrics of GET /insights/{slug}/workflows items (and the base of the summary metrics).
struct RunMetrics {
    std::int64_t total_runs = 0;  // includes on-hold and running runs
    std::optional<std::int64_t> successful_runs;
    std::optional<std::int64_t> failed_runs;
    double success_rate = 0;           // 0..1
    std::optional<double> throughput;  // runs per day
    std::optional<std::int64_t> mttr;  // seconds
    std::optional<std::int64_t> total_credits_used;
    std::optional<std::int64_t> total_recoveries;
    DurationMetrics duration_metrics;  // all nullopt when the object is absent
};

// GET /insights/{slug}/workflows?branch=&reporting-window= items.
struct WorkflowMetrics {
    std::string name;
    std::optional<Timestamp> window_start;
    std::optional<Timestamp> window_end;
    std::optional<std::string> project_id;  // untyped in the spec: kept only when a string
    RunMetrics metrics;
};

// GET /insights/{slug}/workflows/{name} items. No pipeline number here: use GET /workflow/{id}.
struct WorkflowRun {
    std::string id;  // workflow id
    std::optional<std::string> branch;
    std::optional<std::int64_t> duration;  // seconds; null while running
    Timestamp created_at{};
    std::optional<Timestamp> stopped_at;
    std::optional<WorkflowStatus> status;  // success, failed, error, canceled, unauthorized; null
    std::optional<std::int64_t> credits_used;
    bool is_approval = false;  // false when absent
};

// GET /insights/{slug}/workflows/{name}/summary
struct SummaryMetrics : RunMetrics {
    std::optional<std::int64_t> completed_runs;
    std::optional<Timestamp> window_start;
    std::optional<Timestamp> window_end;
};

// Ratios of change against the previous window (e.g. 1.25 = 25% more).
struct SummaryTrends {
    std::optional<double> total_runs, failed_runs, success_rate, p95_duration_secs, median_duration_secs,
        total_credits_used, mttr, throughput;
};

struct WorkflowSummary {
    SummaryMetrics metrics;
    SummaryTrends trends;
    std::vector<std::string> workflow_names;
};

// GET /insights/pages/{slug}/summary (not paginated). Everything optional: no documented example.
struct PageProjectMetrics {
    std::optional<std::int64_t> total_runs, total_duration_secs, total_credits_used;
    std::optional<double> success_rate, throughput;
};

struct PageProjectTrends {
    std::optional<double> total_runs, total_duration_secs, total_credits_used, success_rate, throughput;
};

struct PageProjectData {
    PageProjectMetrics metrics;
    PageProjectTrends trends;
};

struct PageWorkflowMetrics {
    std::optional<std::int64_t> total_credits_used, total_runs;
    std::optional<double> p95_duration_secs, success_rate;
};

struct PageWorkflowTrends {
    std::optional<double> total_credits_used, p95_duration_secs, total_runs, success_rate;
};

struct PageWorkflowData {
    std::string workflow_name;
    std::optional<std::string> branch;  // only in project_workflow_branch_data
    PageWorkflowMetrics metrics;
    PageWorkflowTrends trends;
};

struct ProjectPageSummary {
    std::optional<std::string> org_id;  // untyped in the spec: kept only when a string
    std::optional<std::string> project_id;
    PageProjectData project_data;
    std::vector<PageWorkflowData> project_workflow_data;
    std::vector<PageWorkflowData> project_workflow_branch_data;
    std::vector<std::string> all_branches;
    std::vector<std::string> all_workflows;
};

}  // namespace tjc::circleci
