// Builds a context of the shape ToolJump's extension sends (docs/tooljump-contract.md
// section 1) from --repo/--service/--branch/--commit: `github` for github.com, `generic` with
// the page URL for any other host; or reads one from --context JSON / --context @file.
// --repo is read by the plugin's own parser (plugin/src/mapping/repo_url.*).
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace tjhost {

struct RepoArgs {
    std::string repo;  // any repository URL form, github:org/repo, or org/repo (github.com)
    std::string service;
    std::string branch;
    std::string commit;
};

// Throws std::runtime_error with a clear message on a malformed repo or an unreadable file.
boost::json::value context_from_repo(const RepoArgs& args);
boost::json::value context_from_arg(const std::string& arg);  // JSON text or @file

}  // namespace tjhost
