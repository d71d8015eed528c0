// The `mapping:` section of the config as plain data: how a repo, service tag or branch maps
// to CircleCI project slugs. Parsing validates everything (config/mapping.example.yaml
// documents every key); mapping/ only reads these structs.
#pragma once

#include "config/card_kinds.hpp"
#include "config/name_pattern.hpp"
#include "config/repo_pattern.hpp"
#include "config/repo_regex.hpp"
#include "config/slug_template.hpp"
#include "config/url_pattern.hpp"
#include "config/yaml_reader.hpp"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tjc::config {

// Where a rule was written, for diagnostics and for explaining a resolution.
struct SourcePos {
    int line = 0;    // 1-based
    int column = 0;  // 1-based
};

// A VCS host and the slug prefix CircleCI uses for it.
struct VcsHost {
    std::string host;    // lower-case, e.g. "github.com"
    std::string prefix;  // e.g. "gh"
};

// Which runs belong to the page, inside one project: templates over {service}, {env}, ...
struct Filters {
    std::vector<Template> workflows;                           // workflow name patterns
    std::vector<std::pair<std::string, Template>> parameters;  // pipeline parameter -> value
    [[nodiscard]] bool empty() const noexcept { return workflows.empty() && parameters.empty(); }
};

// A link of the Links card (runbooks, dashboards, incidents): the config's top-level `links:`
// and a rule's `links:`. The url is a template over {service} {env} {team} {org} {repo}
// {branch} (and a rule's captures); a link whose placeholder has no value is left out.
struct LinkSpec {
    std::string name;
    Template url;      // starts with https:// or http://
    std::string icon;  // "" = the card's default
    SourcePos pos;
};

struct ProjectSpec {
    Template slug;        // "gh/{org}/{repo}", "circleci/<org-id>/<project-id>", ...
    std::string service;  // lower-case; "" = for every service, else only for this one
    bool has_filters = false;
    Filters filters;  // when has_filters: replaces the rule's filters for this project
    SourcePos pos;
};

struct Rule {
    std::string name;  // optional label
    SourcePos pos;
    std::size_t index = 0;  // position in mapping.rules

    // What it matches: every condition given must hold (at least one is required).
    std::string host;                 // lower-case; "" = any host
    std::string repo;                 // exact "org/repo", lower-case ("" = none)
    std::string repo_org, repo_name;  // the exact repo's names, case as written
    bool has_pattern = false;
    RepoPattern pattern;  // `repo_pattern:`
    RepoRegex regex;      // `repo_regex:` over "org/repo", without case
    bool has_url_pattern = false;
    UrlPattern url_pattern;  // `url_pattern:` over the page URL, with captures
    std::string service;     // lower-case service tag

    // What it gives.
    bool exclude = false;  // matched repos show nothing, without an error
    std::vector<ProjectSpec> projects;
    std::string branch;              // branch override ("" = the page's branch)
    std::string token_secret;        // "" = circleci.token_secret
    std::vector<std::string> cards;  // "" = every card
    Filters filters;
    std::string team;             // the team owning what this rule maps ("" = none)
    std::vector<LinkSpec> links;  // shown before the global links
};

// GitHub App / GitLab projects: their slug is circleci/<org-id>/<project-id>, which no name
// gives, so an org maps its repos to project ids (and may opt in to asking CircleCI).
struct Organization {
    std::string host = "github.com";  // lower-case
    std::string org;                  // lower-case
    std::string org_id;
    std::map<std::string, std::string> projects;  // lower-case repo name -> project id
    bool lookup = false;                          // opt-in: ask CircleCI for repos not listed
    std::string token_secret;                     // "" = circleci.token_secret
    SourcePos pos;
};

struct MappingConfig {
    std::string source;  // the config file, to name rules as file:line
    // Defaults: github.com -> gh, bitbucket.org -> bb; `vcs_hosts:` adds or overrides.
    std::vector<VcsHost> vcs_hosts{{"github.com", "gh"}, {"bitbucket.org", "bb"}};
    std::vector<Rule> rules;                  // checked in order; the first that maps wins
    std::vector<Organization> organizations;  // checked after the rules
    // The host of a `repository` tag or string without one ("acme/webshop").
    std::string default_vcs_host = "github.com";
    // The service convention, last: a service -> this slug template ({service} {env} {team}).
    bool has_service_project = false;
    Template service_project;
    SourcePos service_project_pos;
    // service.resourceName -> service and env facts: the first pattern that matches wins.
    std::vector<NamePattern> resource_names;
    // The config's top-level `links:`, shown on every page that maps (after a rule's own).
    std::vector<LinkSpec> links;

    // Names of every secret the rules refer to (per-project tokens), without duplicates.
    [[nodiscard]] std::vector<std::string> token_secrets() const;
    // "file:line:column" of a rule or organization.
    [[nodiscard]] std::string where(const SourcePos& pos) const;
    // The hosts of the rules' url_pattern, lower-case, each once: the custom domains ToolJump's
    // extension must be allowed on (describe()'s "customDomains").
    [[nodiscard]] std::vector<std::string> url_hosts() const;
};

// A `links:` list (path: its key path for diagnostics); scope: the placeholders allowed.
std::vector<LinkSpec> parse_links(const YAML::Node& node, const std::string& path,
                                  const std::set<std::string, std::less<>>& scope, Diagnostics& diag);

// Reads `mapping:` (node may be undefined: the defaults apply).
MappingConfig parse_mapping(const YAML::Node& node, const std::string& path, Diagnostics& diag);

}  // namespace tjc::config
