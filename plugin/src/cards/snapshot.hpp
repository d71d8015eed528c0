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
    std::vector<circleci::Workflow> workflows;  // after the service filter
    bool workflows_known = false;               // false when their fetch failed or was skipped
    std::optional<PartFailure> workflows_failure;  // why they are unknown, when their fetch failed
};

struct InsightsData {
    std::vector<circleci::WorkflowMetrics> workflows;  // after the service filter
    std::optional<circleci::ProjectPageSummary> summary;  // trends, when CircleCI gave them
};

struct ProjectSnapshot {
    mapping::ProjectTarget target;
    std::string branch;              // the branch shown ("" on a commit page)
    bool branch_is_default = false;
    std::optional<circleci::Project> project;
    std::vector<PipelineRun> pipelines;         // the branch's (or the commit's) pipelines, newest first
    std::vector<PipelineRun> default_pipelines; // the default branch's, for deploys (may alias pipelines)
    std::optional<InsightsData> insights;
    // The project organization's contexts (every page of GET /context), when the plan fetched
    // them; nullopt when it did not or may not (a 403/404 drops the contexts card quietly).
    std::optional<std::vector<circleci::Context>> contexts;
    std::string repo_web_url;        // "https://github.com/org/repo" when known, for tree links

    // Parts that could not be fetched; the cards of that part say so, the others stand.
    std::optional<PartFailure> pipelines_failure;  // the shown branch's (or commit's) pipelines
    std::optional<PartFailure> default_failure;    // the default branch's pipelines, for deploys
    std::optional<PartFailure> insights_failure;
};

}  // namespace tjc::cards
