// What a ToolJump context says about the page, in the terms mapping needs. Pure.
#pragma once

#include "util/expected.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace tjc::mapping {

struct ContextFacts {
    std::string type;        // adapter: "github", ...
    std::string url;         // the page's URL
    std::string repository;  // page.repository ("org/repo"), else empty
    std::string service;     // service.name, a `service` string, or a "service:<name>" tag
    std::string env;         // `env` string or an "env:<name>" tag
    std::string branch;      // page.section.hash when it names a branch
    std::string commit;      // page.section.hash when it is a commit SHA
};

// True for 7 to 40 hex digits: how GitHub shows a commit in page.section.hash.
bool looks_like_sha(std::string_view s) noexcept;

// Reads the facts from a parsed context; an error names the offending path.
Expected<ContextFacts> extract_facts(const boost::json::value& context);

// Parses context JSON with limits (depth, size) and extracts the facts.
Expected<ContextFacts> parse_context(std::string_view json);

}  // namespace tjc::mapping
