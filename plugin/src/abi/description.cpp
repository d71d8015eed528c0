#include "abi/description.hpp"

#include <tooljump/plugin.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

namespace tjc::abi {

boost::json::object describe(const std::vector<std::string>& secrets) {
    boost::json::object o;
    o["name"] = kPluginName;
    o["version"] = kPluginVersion;
    o["abi"] = {{"major", TJ_ABI_VERSION_MAJOR}, {"minor", TJ_ABI_VERSION_MINOR}};
    o["description"] =
        "CircleCI status, recent pipelines, insights and deploys for the repository you are viewing.";
    o["match"] = boost::json::parse(R"({"contextType":"github","context":{"page.repository":{"exists":true}}})");
    boost::json::array required;
    for (const auto& s : secrets) required.emplace_back(s);
    o["requiredSecrets"] = std::move(required);
    o["cache"] = 60;
    // What the plugin reads of a context (mapping/context.cpp); agrees with manifest.yaml.
    o["cacheKey"] = boost::json::array{"url", "page.repository", "page.section.hash", "service", "tags", "env"};
    o["priority"] = 100;
    return o;
}

}  // namespace tjc::abi
