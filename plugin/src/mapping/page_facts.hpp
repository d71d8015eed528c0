// The page as the mapping sees it: the context's facts with the config's derivations applied
// (which URLs are repository pages, resource names -> service and env). Pure.
#pragma once

#include "config/mapping_rules.hpp"
#include "mapping/context.hpp"
#include "mapping/github_page.hpp"
#include "mapping/repo_url.hpp"

#include <optional>
#include <string>

namespace tjc::mapping {

struct Page {
    std::optional<RepoRef> repo;  // with its host filled in
    FactSource repo_source = FactSource::none;
    std::string repo_error;        // when repo is empty: why
    bool repository_page = false;  // the repo is the page's own (not a tag's)
    PageRef ref;                   // branch, commit and PR the page shows
    Fact service;                  // explicit, else from service.resourceName
    Fact env;
    Fact team;
};

Page read_page(const config::MappingConfig& mapping, const ContextFacts& facts);

// The slug prefix of a VCS host (vcs_hosts and the built-in ones), "" when it has none.
std::string vcs_prefix(const config::MappingConfig& mapping, std::string_view host);

}  // namespace tjc::mapping
