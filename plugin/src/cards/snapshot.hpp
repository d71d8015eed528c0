// What the fetch plan gathered for one project: the input of card rendering. Plain data.
#pragma once

#include "cards/failure.hpp"
#include "circleci/model.hpp"
#include "mapping/resolve.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tjc::cards {

struct PipelineRun {
    circleci::Pipeline pipeline;
    std::vector<circleci::Workflow> workflows;     // after the service filter
    bool workflows_known = false;                  // false when their fetch failed or was skipped
    std::optional<PartFailure> workflows_failure;  // why they are unknown, when their fetch failed
};

// A workflow's success-rate trend (a ratio against the previous window: 1.12 = +12%).
struct WorkflowTrend {
    std::string workflow;
    double success_rate = 1.0;
};

// What the insights card needs, kept for cache.insights_ttl_s per project: compact on
// purpose (a cache of 10,000 projects holds 10,000 of these).
struct InsightsData {
    std::vector<circleci::WorkflowMetrics> workflows;  // after the service filter
    std::vector<WorkflowTrend> trends;                 // when CircleCI gave them
};

// The success-rate trends of a pages summary's workflows.
inline std::vector<WorkflowTrend> trends_of(const circleci::ProjectPageSummary& summary) {
    std::vector<WorkflowTrend> out;
    for (const auto& w : summary.project_workflow_data) {
        if (w.trends.success_rate) {
            out.push_back({w.workflow_name, *w.trends.success_rate});
        }
    }
    return out;
}

struct ProjectSnapshot {
    mapping::ProjectTarget target;
    std::string branch;  // the branch shown ("" on a commit page)
    bool branch_is_default = false;
    std::optional<circleci::Project> project;
    std::vector<PipelineRun> pipelines;          // the branch's (or the commit's) pipelines, newest first
    std::vector<PipelineRun> default_pipelines;  // the default branch's, for deploys (may alias pipelines)
    // On a PR page: the pipelines CircleCI's answer proves to be the PR's (their vcs.review_id
    // is its number), newest first; empty when none is.
    std::vector<PipelineRun> pull_pipelines;
    std::optional<InsightsData> insights;
    // The project organization's contexts (every page of GET /context), when the plan fetched
    // them; nullopt when it did not or may not (a 403/404 drops the contexts card quietly).
    std::optional<std::vector<circleci::Context>> contexts;
    std::string repo_web_url;  // "https://github.com/org/repo" when known, for tree links

    // Parts that could not be fetched; the cards of that part say so, the others stand.
    std::optional<PartFailure> pipelines_failure;  // the shown branch's (or commit's) pipelines
    std::optional<PartFailure> default_failure;    // the default branch's pipelines, for deploys
    std::optional<PartFailure> insights_failure;
};

}  // namespace tjc::cards
