// The `mapping:` section of the config as plain data: how a repo, service tag or branch maps
// to CircleCI project slugs. Parsing validates everything; mapping/ only reads these structs.
#pragma once

#include "config/yaml_reader.hpp"

#include <string>
#include <vector>

namespace tjc::config {

// A VCS host and the slug prefix CircleCI uses for it.
struct VcsHost {
    std::string host;    // lower-case, e.g. "github.com"
    std::string prefix;  // e.g. "gh"
};

struct MappingConfig {
    // Defaults: github.com -> gh, bitbucket.org -> bb.
    std::vector<VcsHost> vcs_hosts{{"github.com", "gh"}, {"bitbucket.org", "bb"}};

    // Names of every secret the rules refer to (per-project tokens), without duplicates.
    [[nodiscard]] std::vector<std::string> token_secrets() const { return {}; }
};

// Reads `mapping:` (node may be undefined: the defaults apply).
MappingConfig parse_mapping(const YAML::Node& node, const std::string& path, Diagnostics& diag);

}  // namespace tjc::config
