#include "mapping/page_facts.hpp"

#include "util/ascii.hpp"

#include <algorithm>

namespace tjc::mapping {

namespace {

bool iequal(std::string_view a, std::string_view b) { return ascii_lower(a) == ascii_lower(b); }

// A host whose URLs may be repository pages: a VCS host, or one a rule or organization names.
bool repository_host(const config::MappingConfig& mapping, std::string_view host) {
    if (!vcs_prefix(mapping, host).empty()) {
        return true;
    }
    return std::any_of(mapping.rules.begin(), mapping.rules.end(),
                       [&](const config::Rule& r) { return r.host == host; }) ||
           std::any_of(mapping.organizations.begin(), mapping.organizations.end(),
                       [&](const config::Organization& o) { return o.host == host; });
}

// GitHub's and Bitbucket's own pages (github.com/orgs/..., bitbucket.org/account/...) on
// hosts of their kind are not repositories.
bool reserved(const config::MappingConfig& mapping, const RepoRef& ref) {
    const auto prefix = vcs_prefix(mapping, ref.host);
    return (prefix == "gh" && github_reserved_name(ref.org)) || (prefix == "bb" && bitbucket_reserved_name(ref.org));
}

// page.repository ("org/repo" as typed): the host is the URL's when it shows the same repo.
void from_page_repository(const config::MappingConfig& mapping, const ContextFacts& facts, Page& page) {
    auto ref = parse_repo_ref(facts.repository);
    if (!ref) {
        page.repo_error = ref.error();
        return;
    }
    if (ref->host.empty()) {
        auto from_url = parse_repo_ref(facts.url);
        if (from_url && iequal(from_url->org, ref->org) && iequal(from_url->repo, ref->repo)) {
            ref->host = from_url->host;
        } else {
            ref->host = facts.type == "github" ? "github.com" : mapping.default_vcs_host;
        }
    }
    page.repo = std::move(ref).value();
    page.repo_source = FactSource::page;
    page.repository_page = true;
}

// A page of a known VCS host (a Bitbucket or GitHub Enterprise page reaches us as `generic`).
void from_url(const config::MappingConfig& mapping, const ContextFacts& facts, Page& page) {
    auto ref = parse_repo_ref(facts.url);
    if (!ref) {
        // Why, when the URL is on a repository host (a VCS host's own pages, a profile).
        if (auto url = split_url(facts.url); url && repository_host(mapping, url->host)) {
            page.repo_error = "the page is no repository page (" + ref.error() + ")";
        } else if (url) {
            page.repo_error = "'" + url->host + "' is not a known VCS host (mapping.vcs_hosts)";
        }
        return;
    }
    if (ref->host.empty()) {
        return;
    }
    if (!repository_host(mapping, ref->host)) {
        page.repo_error = "'" + ref->host + "' is not a known VCS host (mapping.vcs_hosts)";
        return;
    }
    if (reserved(mapping, ref.value())) {
        page.repo_error = "the page is " + ref->host + "'s own '" + ascii_lower(ref->org) + "' page, not a repository";
        return;
    }
    page.repo = std::move(ref).value();
    page.repo_source = FactSource::page;
    page.repository_page = true;
}

void from_repository_tag(const config::MappingConfig& mapping, const ContextFacts& facts, Page& page) {
    auto ref = parse_repo_ref(facts.repository_tag.value);
    if (!ref) {
        page.repo_error = "the repository " + std::string(to_string(facts.repository_tag.source)) + ": " + ref.error();
        return;
    }
    if (ref->host.empty()) {
        ref->host = mapping.default_vcs_host;
    }
    page.repo = std::move(ref).value();
    page.repo_source = facts.repository_tag.source;
    page.repo_error.clear();
}

// The branch, commit and PR: github pages carry them in the facts; a generic page of a
// GitHub Enterprise host has the same URL layout.
PageRef page_ref(const config::MappingConfig& mapping, const ContextFacts& facts, const Page& page) {
    if (facts.type == "github") {
        return PageRef{facts.branch, facts.branch_candidates, facts.commit, facts.pull};
    }
    if (!page.repository_page || vcs_prefix(mapping, page.repo->host) != "gh") {
        return {};
    }
    auto url = split_url(facts.url);
    if (!url || url->segments.size() < 2) {
        return {};
    }
    return github_page_ref(std::vector<std::string>(url->segments.begin() + 2, url->segments.end()));
}

// service.resourceName through mapping.resource_names; an explicit fact is never replaced.
void from_resource_name(const config::MappingConfig& mapping, const std::string& name, Page& page) {
    if (name.empty() || (!page.service.empty() && !page.env.empty())) {
        return;
    }
    config::NamePattern::Captures captures;
    for (const auto& pattern : mapping.resource_names) {
        if (!pattern.match(name, captures)) {
            continue;
        }
        for (const auto& [key, value] : captures) {
            Fact& fact = key == "service" ? page.service : page.env;
            if (fact.empty()) {
                fact = Fact{value, FactSource::resource_name};
            }
        }
        return;
    }
}

}  // namespace

std::string vcs_prefix(const config::MappingConfig& mapping, std::string_view host) {
    for (const auto& v : mapping.vcs_hosts) {
        if (v.host == host) {
            return v.prefix;
        }
    }
    return "";
}

Page read_page(const config::MappingConfig& mapping, const ContextFacts& facts) {
    Page page;
    if (!facts.repository.empty()) {
        from_page_repository(mapping, facts, page);
    } else if (!facts.url.empty()) {
        from_url(mapping, facts, page);
    }
    if (!page.repo && !facts.repository_tag.empty()) {
        from_repository_tag(mapping, facts, page);
    }
    if (!page.repo && page.repo_error.empty()) {
        page.repo_error =
            "the context names no repository (page.repository, a repository page's URL or a repository tag)";
    }
    if (page.repo) {
        page.ref = page_ref(mapping, facts, page);
    }
    page.service = facts.service;
    page.env = facts.env;
    page.team = facts.team;
    from_resource_name(mapping, facts.resource_name, page);
    return page;
}

}  // namespace tjc::mapping
