#include "plan/filters.hpp"

namespace tjc::plan {

bool glob_match(std::string_view p, std::string_view t) noexcept {
    // Iterative matcher with one backtrack point: linear for the patterns admins write.
    std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = ti;
        } else if (pi < p.size() && p[pi] == t[ti]) {
            ++pi;
            ++ti;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') {
        ++pi;
    }
    return pi == p.size();
}

bool has_workflow_filter(const mapping::ProjectTarget& target) noexcept { return !target.workflows.empty(); }

bool pipeline_selected(const mapping::ProjectTarget& target, const circleci::Pipeline& pipeline) {
    for (const auto& [name, value] : target.parameters) {
        auto it = pipeline.trigger_parameters.find(name);
        if (it == pipeline.trigger_parameters.end() || it->second != value) {
            return false;
        }
    }
    return true;
}

bool workflow_selected(const mapping::ProjectTarget& target, const circleci::Workflow& workflow) {
    if (target.workflows.empty()) {
        return true;
    }
    for (const auto& pattern : target.workflows) {
        if (glob_match(pattern, workflow.name)) {
            return true;
        }
    }
    return false;
}

std::vector<circleci::Workflow> select_workflows(const mapping::ProjectTarget& target,
                                                 const std::vector<circleci::Workflow>& workflows) {
    std::vector<circleci::Workflow> out;
    for (const auto& w : workflows) {
        if (workflow_selected(target, w)) {
            out.push_back(w);
        }
    }
    return out;
}

}  // namespace tjc::plan
