// Builds a ToolJump `github` context from --repo/--service/--branch/--commit, or reads one
// from --context JSON / --context @file.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace tjhost {

struct RepoArgs {
    std::string repo;  // any repository URL form, or org/repo
    std::string service;
    std::string branch;
    std::string commit;
};

// Throws std::runtime_error with a clear message on a malformed repo or an unreadable file.
boost::json::value context_from_repo(const RepoArgs& args);
boost::json::value context_from_arg(const std::string& arg);  // JSON text or @file

}  // namespace tjhost
