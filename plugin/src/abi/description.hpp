// The integration's metadata, as manifest.yaml declares it (a test keeps the two equal).
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace tjc::abi {

inline constexpr const char* kPluginName = "circleci";
inline constexpr const char* kPluginVersion = "0.1.0";

// secrets: the running config's secret names (the default token first). custom_domains: the
// hosts of the config's url_pattern rules (an instance's description only; a host serving
// ToolJump's /config lists them so that the extension asks permission to run there).
boost::json::object describe(const std::vector<std::string>& secrets,
                             const std::vector<std::string>& custom_domains = {});

}  // namespace tjc::abi
