// Repository references in every form people paste, parsed with Boost.URL. Pure.
#pragma once

#include "util/expected.hpp"

#include <string>
#include <string_view>

namespace tjc::mapping {

struct RepoRef {
    std::string host;  // lower-case, no "www.", no port, IPv6 in brackets; "" for a plain "org/repo"
    std::string org;   // case as given
    std::string repo;  // case as given, without ".git"
};

// https/http URLs (with /tree/..., /pull/... tails, ports, query, fragment),
// ssh://git@host/org/repo.git, scp-like git@host:org/repo.git, host/org/repo, or plain
// org/repo. Userinfo is dropped and never echoed: no error message repeats the input.
Expected<RepoRef> parse_repo_ref(std::string_view input);

}  // namespace tjc::mapping
