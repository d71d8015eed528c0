// manifest.yaml (docs/tooljump-contract.md section 3 plus the native fields abi and library).
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace tjhost {

struct Manifest {
    std::string path;
    std::string name;
    std::string description;
    boost::json::value match;  // {"contextType": ..., "context": {path: {op: value}}}
    std::vector<std::string> required_secrets;
    std::int64_t cache = 300;
    // Context paths whose values make the result cache key (default: the paths under
    // match.context, as ToolJump does).
    std::vector<std::string> cache_key;
    std::int64_t priority = 100;
    std::uint32_t abi_major = 0;
    std::uint32_t abi_minor = 0;
    std::string library;
};

// Throws std::runtime_error naming the file, line and key on any invalid field.
Manifest load_manifest(const std::string& path);

// "" when the plugin's describe() JSON agrees with the manifest, else the first difference.
std::string compare_with_description(const Manifest& m, const boost::json::value& description);

}  // namespace tjhost
