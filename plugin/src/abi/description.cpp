#include "abi/description.hpp"

#include <tooljump/plugin.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

namespace tjc::abi {

boost::json::object describe(const std::vector<std::string>& secrets, const std::vector<std::string>& custom_domains) {
    boost::json::object o;
    o["name"] = kPluginName;
    o["version"] = kPluginVersion;
    o["abi"] = {{"major", TJ_ABI_VERSION_MAJOR}, {"minor", TJ_ABI_VERSION_MINOR}};
    o["description"] =
        "CircleCI status, recent pipelines, insights and deploys for the repository or service of the page you "
        "are viewing.";
    // Every page: a context from which nothing maps is answered [] at once, without I/O.
    o["match"] = boost::json::parse(R"({"contextType":"*"})");
    boost::json::array required;
    for (const auto& s : secrets) {
        required.emplace_back(s);
    }
    o["requiredSecrets"] = std::move(required);
    o["cache"] = 60;
    // Every context path the plugin reads (mapping/context.cpp); agrees with manifest.yaml.
    o["cacheKey"] = boost::json::array{"type",
                                       "url",
                                       "page.repository",
                                       "page.section.name",
                                       "page.section.hash",
                                       "page.section.pull",
                                       "repository",
                                       "service",
                                       "env",
                                       "team",
                                       "tags"};
    o["priority"] = 100;
    if (!custom_domains.empty()) {
        boost::json::array hosts;
        for (const auto& h : custom_domains) {
            hosts.emplace_back(h);
        }
        o["customDomains"] = std::move(hosts);
    }
    return o;
}

}  // namespace tjc::abi
