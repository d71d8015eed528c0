// Context facts + mapping config -> the CircleCI project(s) to show, and why. Pure, no network.
//
// Facts first (see ContextFacts): the page's repository (page.repository, or the URL of a
// repository page of a known VCS host: vcs_hosts, bitbucket.org, a host a rule names), else a
// `repository` tag or string (its host: mapping.default_vcs_host); service, env and team from
// the context's own keys or tags, else from service.resourceName through
// mapping.resource_names, else from the deciding rule's url_pattern captures. An explicit
// value always beats a derived one.
// Then, in order: the rules (first that maps wins; an `exclude` rule ends with nothing; they
// may match on any fact), the organizations with CircleCI ids, the VCS host convention
// (github.com -> gh/<org>/<repo>, ...) for the repository, and last the service convention
// (mapping.service_project) for the service.
#pragma once

#include "config/mapping_rules.hpp"
#include "mapping/context.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tjc::mapping {

// An opt-in question for CircleCI: which circleci/<org-id>/<project-id> is this repo?
// Set only when an organization has `lookup: true` and does not list the repo.
struct SlugLookup {
    std::string org_id;  // CircleCI organization id
    std::string host;    // VCS host of the repo
    std::string org;     // names as the page gave them
    std::string repo;
    std::string name_slug;  // "<vcs prefix>/<org>/<repo>": what to ask GET /project/{slug} about
    [[nodiscard]] bool empty() const noexcept { return org_id.empty(); }
};

// How a project was found. A 404 under a convention is the normal case (most repos of a
// company, most services, have no CircleCI project): the plan shows no card, or a neutral
// one, and remembers it. Under an explicit mapping a 404 is an error: the mapping is wrong.
enum class MappedBy {
    rule,                 // a `rules:` entry (explicit)
    organization,         // an organization's listed project id (explicit)
    organization_lookup,  // an organization with `lookup: true`, asking CircleCI by name
    host_convention,      // <vcs prefix>/<org>/<repo> of a VCS host
    service_convention,   // mapping.service_project
};

std::string_view to_string(MappedBy by) noexcept;
// True for organization_lookup, host_convention and service_convention.
bool is_convention(MappedBy by) noexcept;

// A link of the Links card, its placeholders filled in (values percent-encoded).
struct Link {
    std::string name;
    std::string url;
    std::string icon;
};

struct ProjectTarget {
    // "gh/org/repo", "bb/org/repo" or "circleci/<org-id>/<project-id>"; "" when lookup must
    // find it first.
    std::string slug;
    // Other spellings of slug to ask, in order, only when CircleCI answers 404 for slug: under
    // a host convention, the lower-case slug when the page wrote the names in mixed case
    // (GitHub names ignore case; whether CircleCI's slugs do is not documented, see
    // docs/circleci-api.md). Empty for explicit mappings: the admin wrote the slug.
    std::vector<std::string> slug_fallbacks;
    MappedBy mapped_by = MappedBy::rule;
    std::string rule;        // for admins (resolve, logs): "file:line:col" of a rule, or the convention
    std::string rule_name;   // the rule's `name`, if any
    std::string rule_label;  // for cards, never a server path: "rule 'webshop'", "mapping rule #3",
                             // "the github.com convention (gh/<org>/<repo>)", ...

    // The branch to show when it is certain: a rule's `branch`, or a GitHub page's /tree/<x>
    // or /commits/<x> with nothing after. "" = see branch_candidates, else the default branch.
    std::string branch;
    // When branch is "" and this is not: the page names a branch that may hold '/' (the
    // extension cuts "feature/x" to "feature"): the prefixes of the path after tree/, blob/ or
    // commits/, longest first, one segment last, at most 8. The plan shows the first one
    // CircleCI knows (has pipelines of), else the default branch, labelled as such.
    std::vector<std::string> branch_candidates;
    std::string commit;            // commit to show (a /commit/<sha> page)
    std::string pull;              // the pull request's number on a PR page; the default branch is shown,
                                   // labelled "(PR #N)", unless CircleCI's answer proves the PR's pipelines
    bool repository_page = false;  // the page is the repository itself (GitHub, a VCS host),
                                   // not another tool's page that names it or a service

    std::string token_secret;  // secret holding the token for this project (never the token)
    std::string service;       // service filter ("" = none)
    std::string env;
    std::string team;                    // the owning team (a tag, a rule's `team`), shown in the status tooltip
    std::vector<std::string> workflows;  // workflow names to keep ("" = all)
    std::vector<std::pair<std::string, std::string>> parameters;  // pipeline parameter == value
    std::vector<std::string> cards;                               // cards to show (empty = all)
    std::vector<Link> links;  // the Links card's links; on the first project of a page only
    SlugLookup lookup;

    // Every field that can change the cards, as one string: the results cache keys on it, so
    // two pages that differ in any of them never share cards.
    [[nodiscard]] std::string identity() const;
};

// What the page said, each fact with where it came from (explain).
struct ResolvedFacts {
    Fact repository;  // "[host/]org/repo"
    Fact service;
    Fact env;
    Fact team;
    std::string branch;
    std::vector<std::string> branch_candidates;
    std::string commit;
    std::string pull;
};

struct Resolution {
    std::vector<ProjectTarget> projects;
    std::string reason;     // when projects is empty: why nothing maps
    bool excluded = false;  // an exclude rule matched: show nothing, and it is not an error
    ResolvedFacts facts;
};

Resolution resolve(const config::MappingConfig& mapping, const std::string& default_token_secret,
                   const ContextFacts& facts);

}  // namespace tjc::mapping
