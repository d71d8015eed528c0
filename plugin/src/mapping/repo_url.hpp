// Repository references in every form people paste, parsed with Boost.URL. Pure. The one
// parser of the plugin and of tj-host --repo (built alone as tjc_repo_url, which host-sdk links).
#pragma once

#include "tjc/expected.hpp"

#include <string>
#include <string_view>

namespace tjc::mapping {

struct RepoRef {
    std::string host;  // lower-case, no "www.", no port, IPv6 in brackets; "" for a plain "org/repo"
    std::string org;   // case as given
    std::string repo;  // case as given, without ".git"
};

// https/http URLs (with /tree/..., /pull/... tails, ports, query), git+https, ssh://git@host/
// org/repo.git (also with npm's ssh://git@host:org/repo form), scp-like git@host:org/repo.git,
// npm's shorthands github:org/repo, bitbucket:org/repo and gitlab:org/repo, host/org/repo, or
// plain org/repo. A fragment (#...) is dropped before anything else: it never decides the
// repo. Local paths and file URLs (/path/to/repo.git, file:///..., git+file://...) are refused:
// they name a clone on some disk, not a hosted repository. GitHub's own top-level pages
// (github.com/orgs/..., /settings, /marketplace, ...) are refused too. Userinfo is dropped and
// never echoed: no error message repeats the input.
Expected<RepoRef> parse_repo_ref(std::string_view input);

// True when `segment` (any case) is one of GitHub's own top-level paths (orgs, settings,
// marketplace, sponsors, topics, ...), never a user or organization: github.com/<it>/... is
// not a repository. Also holds on GitHub Enterprise hosts, which share the layout.
bool github_reserved_name(std::string_view segment) noexcept;

// The same for bitbucket.org's top-level paths (account, dashboard, workspace, ...).
bool bitbucket_reserved_name(std::string_view segment) noexcept;

}  // namespace tjc::mapping
