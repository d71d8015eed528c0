// Context facts + mapping config -> the CircleCI project(s) to show, and why. Pure, no network.
#pragma once

#include "config/mapping_rules.hpp"
#include "mapping/context.hpp"

#include <string>
#include <vector>

namespace tjc::mapping {

struct ProjectTarget {
    std::string slug;          // "gh/org/repo", "bb/org/repo" or "circleci/<org-id>/<project-id>"
    std::string rule;          // what decided: "default convention (github.com -> gh)" or "file:line"
    std::string branch;        // branch to show ("" = the project's default branch)
    std::string commit;        // commit to show, from the context
    std::string token_secret;  // secret holding the token for this project
    std::string service;       // service filter ("" = none)
    std::string env;
};

struct Resolution {
    std::vector<ProjectTarget> projects;
    std::string reason;  // when projects is empty: why nothing maps
};

Resolution resolve(const config::MappingConfig& mapping, const std::string& default_token_secret,
                   const ContextFacts& facts);

}  // namespace tjc::mapping
