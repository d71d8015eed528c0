#include "mapping/explain.hpp"

namespace tjc::mapping {

namespace {

boost::json::array strings(const std::vector<std::string>& values) {
    boost::json::array out;
    for (const auto& v : values) {
        out.emplace_back(v);
    }
    return out;
}

// Each fact with where it came from: {"value": "checkout", "from": "tag"}.
boost::json::object facts_json(const ResolvedFacts& f) {
    boost::json::object out;
    for (const auto& [name, fact] : {std::pair{"repository", &f.repository}, std::pair{"service", &f.service},
                                     std::pair{"env", &f.env}, std::pair{"team", &f.team}}) {
        if (!fact->empty()) {
            out[name] = boost::json::object{{"value", fact->value}, {"from", to_string(fact->source)}};
        }
    }
    if (!f.branch.empty()) {
        out["branch"] = f.branch;
    }
    if (!f.branch_candidates.empty()) {
        out["branchCandidates"] = strings(f.branch_candidates);
    }
    if (!f.commit.empty()) {
        out["commit"] = f.commit;
    }
    if (!f.pull.empty()) {
        out["pull"] = f.pull;
    }
    return out;
}

boost::json::object filters_json(const ProjectTarget& p) {
    boost::json::object filters;
    if (!p.service.empty()) {
        filters["service"] = p.service;
    }
    if (!p.env.empty()) {
        filters["env"] = p.env;
    }
    if (!p.workflows.empty()) {
        filters["workflows"] = strings(p.workflows);
    }
    if (!p.parameters.empty()) {
        boost::json::object params;
        for (const auto& [k, v] : p.parameters) {
            params[k] = v;
        }
        filters["parameters"] = std::move(params);
    }
    return filters;
}

boost::json::object project_json(const ProjectTarget& p) {
    boost::json::object o;
    if (!p.slug.empty()) {
        o["slug"] = p.slug;
    }
    if (!p.slug_fallbacks.empty()) {
        o["slugFallbacks"] = strings(p.slug_fallbacks);
    }
    o["mappedBy"] = to_string(p.mapped_by);
    o["rule"] = p.rule;  // file:line:col: for admins, never on a card
    if (!p.rule_name.empty()) {
        o["ruleName"] = p.rule_name;
    }
    if (!p.branch.empty()) {
        o["branch"] = p.branch;
    }
    if (!p.branch_candidates.empty()) {
        o["branchCandidates"] = strings(p.branch_candidates);
    }
    if (!p.commit.empty()) {
        o["commit"] = p.commit;
    }
    if (!p.pull.empty()) {
        o["pull"] = p.pull;
    }
    if (!p.team.empty()) {
        o["team"] = p.team;
    }
    o["tokenSecret"] = p.token_secret;  // the secret's name; the token never reaches mapping
    o["filters"] = filters_json(p);
    if (!p.cards.empty()) {
        o["cards"] = strings(p.cards);
    }
    if (!p.links.empty()) {
        boost::json::array links;
        for (const auto& l : p.links) {
            links.push_back(boost::json::object{{"name", l.name}, {"url", l.url}});
        }
        o["links"] = std::move(links);
    }
    if (!p.lookup.empty()) {
        o["lookup"] = boost::json::object{{"orgId", p.lookup.org_id},
                                          {"host", p.lookup.host},
                                          {"org", p.lookup.org},
                                          {"repo", p.lookup.repo},
                                          {"nameSlug", p.lookup.name_slug}};
    }
    return o;
}

}  // namespace

boost::json::object to_json(const Resolution& resolution) {
    boost::json::object out;
    boost::json::array projects;
    for (const auto& p : resolution.projects) {
        projects.push_back(project_json(p));
    }
    out["projects"] = std::move(projects);
    out["facts"] = facts_json(resolution.facts);
    if (resolution.projects.empty()) {
        out["reason"] = resolution.reason;
        if (resolution.excluded) {
            out["excluded"] = true;
        }
    }
    return out;
}

}  // namespace tjc::mapping
