// The integration's metadata, as manifest.yaml declares it (a test keeps the two equal).
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace tjc::abi {

inline constexpr const char* kPluginName = "circleci";
inline constexpr const char* kPluginVersion = "0.1.0";

// secrets: the running config's secret names (the default token first).
boost::json::object describe(const std::vector<std::string>& secrets);

}  // namespace tjc::abi
