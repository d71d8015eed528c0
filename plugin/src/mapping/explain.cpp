#include "mapping/explain.hpp"

namespace tjc::mapping {

boost::json::object to_json(const Resolution& resolution) {
    boost::json::object out;
    boost::json::array projects;
    for (const auto& p : resolution.projects) {
        boost::json::object o;
        o["slug"] = p.slug;
        o["rule"] = p.rule;
        if (!p.branch.empty()) o["branch"] = p.branch;
        if (!p.commit.empty()) o["commit"] = p.commit;
        o["tokenSecret"] = p.token_secret;
        boost::json::object filters;
        if (!p.service.empty()) filters["service"] = p.service;
        if (!p.env.empty()) filters["env"] = p.env;
        o["filters"] = std::move(filters);
        projects.push_back(std::move(o));
    }
    out["projects"] = std::move(projects);
    if (resolution.projects.empty()) out["reason"] = resolution.reason;
    return out;
}

}  // namespace tjc::mapping
