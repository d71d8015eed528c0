#include "mapping/explain.hpp"

namespace tjc::mapping {

boost::json::object to_json(const Resolution& resolution) {
    boost::json::object out;
    boost::json::array projects;
    for (const auto& p : resolution.projects) {
        boost::json::object o;
        if (!p.slug.empty()) o["slug"] = p.slug;
        o["rule"] = p.rule;
        if (!p.rule_name.empty()) o["ruleName"] = p.rule_name;
        if (!p.branch.empty()) o["branch"] = p.branch;
        if (!p.commit.empty()) o["commit"] = p.commit;
        o["tokenSecret"] = p.token_secret;  // the secret's name; the token never reaches mapping
        boost::json::object filters;
        if (!p.service.empty()) filters["service"] = p.service;
        if (!p.env.empty()) filters["env"] = p.env;
        if (!p.workflows.empty()) {
            boost::json::array w;
            for (const auto& name : p.workflows) w.emplace_back(name);
            filters["workflows"] = std::move(w);
        }
        if (!p.parameters.empty()) {
            boost::json::object params;
            for (const auto& [k, v] : p.parameters) params[k] = v;
            filters["parameters"] = std::move(params);
        }
        o["filters"] = std::move(filters);
        if (!p.cards.empty()) {
            boost::json::array cards;
            for (const auto& c : p.cards) cards.emplace_back(c);
            o["cards"] = std::move(cards);
        }
        if (!p.lookup.empty()) {
            o["lookup"] = boost::json::object{{"orgId", p.lookup.org_id}, {"host", p.lookup.host},
                                              {"org", p.lookup.org}, {"repo", p.lookup.repo},
                                              {"nameSlug", p.lookup.name_slug}};
        }
        projects.push_back(std::move(o));
    }
    out["projects"] = std::move(projects);
    if (resolution.projects.empty()) {
        out["reason"] = resolution.reason;
        if (resolution.excluded) out["excluded"] = true;
    }
    return out;
}

}  // namespace tjc::mapping
