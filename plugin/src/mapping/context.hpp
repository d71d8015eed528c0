// What a ToolJump context says about the page, in the terms mapping needs, each fact with
// where it came from. Pure, config-free: what the config derives (resource names, URL
// patterns, VCS host pages) is resolve's job. The context shapes are those of
// docs/tooljump-contract.md section 1.
#pragma once

#include "mapping/github_page.hpp"
#include "tjc/expected.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tjc::mapping {

// Where a fact came from; `tj-host resolve` says it for each fact.
enum class FactSource {
    none,
    page,           // the page itself: page.repository, the URL of a repository page
    context_key,    // a top-level string a host added: repository, service, env, team
    service_name,   // service.name, on every context type but aws (there it is the AWS service)
    tag,            // a `tags` entry: "key:value" in a list, or key: value in an object
    resource_name,  // service.resourceName through mapping.resource_names
    url_pattern,    // a capture of the deciding rule's url_pattern
    rule,           // the deciding rule's own value (its `team:`)
};

std::string_view to_string(FactSource source) noexcept;

struct Fact {
    std::string value;
    FactSource source = FactSource::none;
    [[nodiscard]] bool empty() const noexcept { return value.empty(); }
};

struct ContextFacts {
    std::string type;        // adapter: "github", "aws", "generic", ...
    std::string url;         // the page's URL
    std::string repository;  // page.repository ("org/repo", as typed in the URL), else empty

    // Explicit facts, each from the first source that has it: a top-level string (or
    // service.name), then `tags`. Names derived by the config never land here.
    Fact repository_tag;  // "org/repo", "host/org/repo" or a URL
    Fact service;
    Fact env;
    Fact team;
    std::string resource_name;  // service.resourceName (an AWS function, table or bucket name)

    // github pages, from the URL (never from page.section.hash alone: the front page's
    // hash is a placeholder and a branch arrives cut at its first '/'); see PageRef.
    std::string branch;                          // certain: /tree/<x> or /commits/<x>, nothing after
    std::vector<std::string> branch_candidates;  // longest first; empty on pages that name no branch
    std::string commit;                          // /commit/<sha>
    std::string pull;                            // page.section.pull (or /pull/<n>): the PR number
};

// Reads the facts from a parsed context; an error names the offending path.
Expected<ContextFacts> extract_facts(const boost::json::value& context);

// Parses context JSON with limits (depth, size) and extracts the facts.
Expected<ContextFacts> parse_context(std::string_view json);

}  // namespace tjc::mapping
