// A mapping rule's service filters applied to what CircleCI returned: only the service's
// pipelines (pipeline parameters) and workflows (name patterns, `*` wildcards). Pure.
#pragma once

#include "circleci/model.hpp"
#include "mapping/resolve.hpp"

#include <string_view>
#include <vector>

namespace tjc::plan {

// Glob match, case-sensitive: `*` matches any run of characters.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

bool pipeline_selected(const mapping::ProjectTarget& target, const circleci::Pipeline& pipeline);
bool workflow_selected(const mapping::ProjectTarget& target, const circleci::Workflow& workflow);
// Keeps the selected workflows, in order.
std::vector<circleci::Workflow> select_workflows(const mapping::ProjectTarget& target,
                                                 const std::vector<circleci::Workflow>& workflows);
bool has_workflow_filter(const mapping::ProjectTarget& target) noexcept;

}  // namespace tjc::plan
