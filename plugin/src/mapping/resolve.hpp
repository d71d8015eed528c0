// Context facts + mapping config -> the CircleCI project(s) to show, and why. Pure, no network.
// Order: the rules (first that maps wins; an `exclude` rule ends with nothing), then the
// organizations with CircleCI ids, then the VCS host conventions (github.com -> gh, ...).
#pragma once

#include "config/mapping_rules.hpp"
#include "mapping/context.hpp"

#include <string>
#include <utility>
#include <vector>

namespace tjc::mapping {

// An opt-in question for CircleCI: which circleci/<org-id>/<project-id> is this repo?
// Set only when an organization has `lookup: true` and does not list the repo.
struct SlugLookup {
    std::string org_id;     // CircleCI organization id
    std::string host;       // VCS host of the repo
    std::string org;        // names as the page gave them
    std::string repo;
    std::string name_slug;  // "<vcs prefix>/<org>/<repo>": what to ask GET /project/{slug} about
    [[nodiscard]] bool empty() const noexcept { return org_id.empty(); }
};

struct ProjectTarget {
    std::string slug;          // "gh/org/repo", "bb/org/repo" or "circleci/<org-id>/<project-id>";
                               // "" when lookup must find it first
    std::string rule;          // what decided: "file:line:col" of a rule, or "default convention (...)"
    std::string rule_name;     // the rule's `name`, if any
    std::string branch;        // branch to show ("" = the project's default branch)
    std::string commit;        // commit to show, from the context
    std::string token_secret;  // secret holding the token for this project (never the token)
    std::string service;       // service filter ("" = none)
    std::string env;
    std::vector<std::string> workflows;                          // workflow names to keep ("" = all)
    std::vector<std::pair<std::string, std::string>> parameters;  // pipeline parameter == value
    std::vector<std::string> cards;                              // cards to show (empty = all)
    SlugLookup lookup;
};

struct Resolution {
    std::vector<ProjectTarget> projects;
    std::string reason;  // when projects is empty: why nothing maps
    bool excluded = false;  // an exclude rule matched: show nothing, and it is not an error
};

Resolution resolve(const config::MappingConfig& mapping, const std::string& default_token_secret,
                   const ContextFacts& facts);

}  // namespace tjc::mapping
