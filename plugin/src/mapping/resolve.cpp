#include "mapping/resolve.hpp"

#include "mapping/links.hpp"
#include "mapping/page_facts.hpp"
#include "util/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace tjc::mapping {

namespace {

using config::RepoPattern;
using config::Rule;
using Captures = RepoPattern::Captures;

bool valid_segment(std::string_view s) {
    return !s.empty() && s.size() <= 100 && s != "." && s != ".." &&
           std::all_of(s.begin(), s.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; });
}

// An expanded slug must still be <vcs>/<org>/<repo>: a context value such as env may not
// smuggle in a '/', "..", or anything a URL path would need escaped.
bool valid_slug(std::string_view slug) {
    int parts = 0;
    std::size_t start = 0;
    while (true) {
        const auto slash = slug.find('/', start);
        if (!valid_segment(slug.substr(start, slash == std::string_view::npos ? slug.npos : slash - start))) {
            return false;
        }
        ++parts;
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    return parts == 3;
}

// The page's "org/repo" as rules compare it, made once per resolve rather than once per rule.
struct PageNames {
    std::string org_repo;        // as the page gave it
    std::string org_repo_lower;  // exact rules compare without case
};

// service, env and team as one rule sees them: the page's (explicit or from a resource
// name), else the rule's url_pattern captures; a team also from the rule itself.
struct RuleFacts {
    Fact service;
    Fact env;
    Fact team;
};

Fact captured(const Captures& captures, std::string_view name) {
    for (const auto& [k, v] : captures) {
        if (k == name) {
            return Fact{v, FactSource::url_pattern};
        }
    }
    return {};
}

RuleFacts rule_facts(const Page& page, const Rule* rule, const Captures& url_captures) {
    RuleFacts f{page.service, page.env, page.team};
    if (f.service.empty()) {
        f.service = captured(url_captures, "service");
    }
    if (f.env.empty()) {
        f.env = captured(url_captures, "env");
    }
    if (f.team.empty()) {
        f.team = captured(url_captures, "team");
    }
    if (f.team.empty() && rule && !rule->team.empty()) {
        f.team = Fact{rule->team, FactSource::rule};
    }
    return f;
}

// Every condition the rule gives must hold; captures get the pattern's, regex's and
// url_pattern's captures.
bool rule_matches(const Rule& rule, const Page& page, const PageNames& names, const std::string& url,
                  Captures& captures, Captures& url_captures) {
    captures.clear();
    url_captures.clear();
    if (rule.has_url_pattern && !rule.url_pattern.match(url, url_captures)) {
        return false;
    }
    const auto& ref = page.repo;
    if (!rule.host.empty() && (!ref || ref->host != rule.host)) {
        return false;
    }
    if (!rule.service.empty()) {
        const auto service = rule_facts(page, &rule, url_captures).service;
        if (ascii_lower(service.value) != rule.service) {
            return false;
        }
    }
    bool matched = true;
    if (!rule.repo.empty() || rule.has_pattern || !rule.regex.empty()) {
        if (!ref) {
            return false;
        }
        if (!rule.repo.empty()) {
            matched = names.org_repo_lower == rule.repo;
        } else if (rule.has_pattern) {
            matched = rule.pattern.match(names.org_repo, captures);
        } else {
            matched = rule.regex.match(names.org_repo, captures);
        }
    }
    captures.insert(captures.end(), url_captures.begin(), url_captures.end());
    return matched;
}

std::string rule_label(const Rule& rule) {
    return rule.name.empty() ? "mapping rule #" + std::to_string(rule.index + 1) : "rule '" + rule.name + "'";
}

// The page-wide fields every target of a page carries.
void fill_page(ProjectTarget& t, const Page& page, const RuleFacts& facts, const std::string& branch_override) {
    if (!branch_override.empty()) {
        t.branch = branch_override;
    } else {
        t.branch = page.ref.branch;
        t.branch_candidates = page.ref.branch_candidates;
    }
    t.commit = page.ref.commit;
    t.pull = page.ref.pull;
    t.repository_page = page.repository_page;
    t.service = facts.service.value;
    t.env = facts.env.value;
    t.team = facts.team.value;
}

// Under a convention the names come from the page, in the case it typed them; CircleCI may
// compare slugs with case, so the lower-case spelling is the fallback (see ProjectTarget).
void case_fallback(ProjectTarget& t) {
    auto lower = ascii_lower(t.slug);
    if (lower != t.slug) {
        t.slug_fallbacks.push_back(std::move(lower));
    }
}

class RuleExpansion {
public:
    RuleExpansion(const config::MappingConfig& mapping, const Rule& rule, const Page& page, const RuleFacts& facts,
                  const Captures& captures)
        : mapping_(mapping), rule_(rule), page_(page), facts_(facts), captures_(captures) {}

    std::optional<std::string> value(std::string_view name) const {
        const auto& ref = page_.repo;
        // An exact rule names the repo as the admin wrote it: GitHub ignores case, slugs keep it.
        if (name == "org") {
            return !rule_.repo.empty() ? rule_.repo_org : ref ? std::optional(ref->org) : std::nullopt;
        }
        if (name == "repo") {
            return !rule_.repo.empty() ? rule_.repo_name : ref ? std::optional(ref->repo) : std::nullopt;
        }
        if (name == "host") {
            return ref ? std::optional(ref->host) : std::nullopt;
        }
        if (name == "service") {
            return facts_.service.value;
        }
        if (name == "env") {
            return facts_.env.value;
        }
        if (name == "team") {
            return facts_.team.value;
        }
        if (name == "branch") {
            return !rule_.branch.empty() ? rule_.branch : page_.ref.branch;
        }
        for (const auto& [k, v] : captures_) {
            if (k == name) {
                return v;
            }
        }
        return std::nullopt;
    }

    // The rule's projects for this page; why_not says why a project was left out.
    std::vector<ProjectTarget> targets(const std::string& default_secret, std::string& why_not) const {
        const auto lookup = [this](std::string_view n) { return value(n); };
        const std::string service = ascii_lower(facts_.service.value);
        std::vector<ProjectTarget> out;
        for (const auto& spec : rule_.projects) {
            if (!spec.service.empty() && !service.empty() && spec.service != service) {
                why_not = "the rule at " + mapping_.where(rule_.pos) + " has no project for service '" +
                          facts_.service.value + "'";
                continue;
            }
            auto slug = spec.slug.expand(lookup);
            if (!slug) {
                why_not = "the rule at " + mapping_.where(rule_.pos) + " needs a value the context lacks for '" +
                          spec.slug.source() + "'";
                continue;
            }
            if (!valid_slug(*slug)) {
                why_not = "the rule at " + mapping_.where(rule_.pos) + " expands '" + spec.slug.source() +
                          "' to something that is not a project slug";
                continue;
            }
            out.push_back(target(std::move(*slug), spec, lookup, default_secret));
        }
        return out;
    }

private:
    ProjectTarget target(std::string slug, const config::ProjectSpec& spec, const config::Template::Lookup& lookup,
                         const std::string& default_secret) const {
        ProjectTarget t;
        t.slug = std::move(slug);
        t.mapped_by = MappedBy::rule;
        t.rule = mapping_.where(rule_.pos);
        t.rule_name = rule_.name;
        t.rule_label = rule_label(rule_);
        fill_page(t, page_, facts_, rule_.branch);
        t.token_secret = !rule_.token_secret.empty() ? rule_.token_secret : default_secret;
        t.cards = rule_.cards;
        const auto& filters = spec.has_filters ? spec.filters : rule_.filters;
        for (const auto& w : filters.workflows) {
            if (auto name = w.expand(lookup)) {
                t.workflows.push_back(std::move(*name));
            }
        }
        for (const auto& [param, templ] : filters.parameters) {
            if (auto v = templ.expand(lookup)) {
                t.parameters.emplace_back(param, std::move(*v));
            }
        }
        return t;
    }

    const config::MappingConfig& mapping_;
    const Rule& rule_;
    const Page& page_;
    const RuleFacts& facts_;
    const Captures& captures_;
};

// Organizations (CircleCI ids), then the VCS host convention, for the page's repository.
// Returns false when they do not apply (no project, no reason).
bool by_repository(const config::MappingConfig& mapping, const std::string& default_secret, const Page& page,
                   const RuleFacts& facts, Resolution& out) {
    const auto& ref = *page.repo;
    for (const auto& org : mapping.organizations) {
        if (org.host != ref.host || org.org != ascii_lower(ref.org)) {
            continue;
        }
        ProjectTarget t;
        fill_page(t, page, facts, "");
        t.token_secret = !org.token_secret.empty() ? org.token_secret : default_secret;
        t.rule = mapping.where(org.pos);
        if (auto id = org.projects.find(ascii_lower(ref.repo)); id != org.projects.end()) {
            t.slug = "circleci/" + org.org_id + "/" + id->second;
            t.mapped_by = MappedBy::organization;
            t.rule_label = "the project list of organization '" + org.org + "'";
        } else if (org.lookup) {
            const auto prefix = vcs_prefix(mapping, ref.host);
            if (prefix.empty()) {
                out.reason = "the organization at " + mapping.where(org.pos) + " asks CircleCI by name, but '" +
                             ref.host + "' has no VCS prefix to name the project with: list its project id";
                return true;
            }
            t.mapped_by = MappedBy::organization_lookup;
            t.rule_label = "a lookup in organization '" + org.org + "'";
            t.lookup = SlugLookup{org.org_id, ref.host, ref.org, ref.repo, prefix + "/" + ref.org + "/" + ref.repo};
        } else {
            out.reason = "the organization at " + mapping.where(org.pos) + " lists no project id for '" + ref.repo +
                         "' (add it under projects, or set lookup: true)";
            return true;
        }
        out.projects.push_back(std::move(t));
        return true;
    }
    const auto prefix = vcs_prefix(mapping, ref.host);
    if (prefix.empty()) {
        return false;
    }
    ProjectTarget t;
    fill_page(t, page, facts, "");
    t.slug = prefix + "/" + ref.org + "/" + ref.repo;
    t.mapped_by = MappedBy::host_convention;
    t.rule = "default convention (" + ref.host + " -> " + prefix + "/<org>/<repo>)";
    t.rule_label = "the " + ref.host + " convention (" + prefix + "/<org>/<repo>)";
    t.token_secret = default_secret;
    case_fallback(t);
    out.projects.push_back(std::move(t));
    return true;
}

// mapping.service_project: a service -> its project, for pages that name only a service.
bool by_service(const config::MappingConfig& mapping, const std::string& default_secret, const Page& page,
                const RuleFacts& facts, Resolution& out) {
    if (!mapping.has_service_project || facts.service.empty()) {
        return false;
    }
    const auto lookup = [&](std::string_view name) -> std::optional<std::string> {
        if (name == "service") {
            return facts.service.value;
        }
        return name == "env" ? facts.env.value : facts.team.value;
    };
    auto slug = mapping.service_project.expand(lookup);
    if (!slug || !valid_slug(*slug)) {
        out.reason = "the service convention '" + mapping.service_project.source() +
                     "' gives no project slug for service '" + facts.service.value + "'";
        return true;
    }
    ProjectTarget t;
    fill_page(t, page, facts, "");
    t.slug = std::move(*slug);
    t.mapped_by = MappedBy::service_convention;
    t.rule = "service convention (" + mapping.where(mapping.service_project_pos) + ": " +
             mapping.service_project.source() + ")";
    t.rule_label = "the service convention (" + mapping.service_project.source() + ")";
    t.token_secret = default_secret;
    case_fallback(t);
    out.projects.push_back(std::move(t));
    return true;
}

ResolvedFacts resolved_facts(const Page& page, const RuleFacts& facts) {
    ResolvedFacts out;
    if (page.repo) {
        out.repository = Fact{page.repo->host + "/" + page.repo->org + "/" + page.repo->repo, page.repo_source};
    }
    out.service = facts.service;
    out.env = facts.env;
    out.team = facts.team;
    out.branch = page.ref.branch;
    out.branch_candidates = page.ref.branch_candidates;
    out.commit = page.ref.commit;
    out.pull = page.ref.pull;
    return out;
}

// Links belong to the page: the deciding rule's first, then the config's, on the first project.
void attach_links(const config::MappingConfig& mapping, const Rule* rule, const Page& page, Resolution& out) {
    if (out.projects.empty() || (mapping.links.empty() && (!rule || rule->links.empty()))) {
        return;
    }
    std::vector<const config::LinkSpec*> specs;
    if (rule) {
        for (const auto& l : rule->links) {
            specs.push_back(&l);
        }
    }
    for (const auto& l : mapping.links) {
        specs.push_back(&l);
    }
    auto& first = out.projects.front();
    // {org}/{repo}: the page's repository, else the slug's names (gh/<org>/<repo>).
    std::string org = page.repo ? page.repo->org : std::string();
    std::string repo = page.repo ? page.repo->repo : std::string();
    if (!page.repo && !first.slug.starts_with("circleci/")) {
        const auto a = first.slug.find('/');
        const auto b = first.slug.find('/', a + 1);
        if (a != std::string::npos && b != std::string::npos) {
            org = first.slug.substr(a + 1, b - a - 1);
            repo = first.slug.substr(b + 1);
        }
    }
    first.links = expand_links(specs, [&](std::string_view name) -> std::optional<std::string> {
        if (name == "service") {
            return first.service;
        }
        if (name == "env") {
            return first.env;
        }
        if (name == "team") {
            return first.team;
        }
        if (name == "org") {
            return org;
        }
        if (name == "repo") {
            return repo;
        }
        if (name == "branch") {
            return first.branch;
        }
        return std::nullopt;
    });
}

std::string nothing_maps(const config::MappingConfig& mapping, const Page& page, const RuleFacts& facts,
                         const std::string& resource_name) {
    if (page.repo) {
        const auto& ref = *page.repo;
        return "no rule maps '" + ref.org + "/" + ref.repo + "' and '" +
               (ref.host.empty() ? std::string("(no host)") : ref.host) + "' is not a known VCS host";
    }
    if (facts.service.empty()) {
        return page.repo_error + "; no service: no service tag" +
               (resource_name.empty() ? std::string()
                                      : ", and no mapping.resource_names pattern matches '" + resource_name + "'");
    }
    return "no rule maps service '" + facts.service.value + "'" +
           (mapping.has_service_project ? std::string() : " (mapping.service_project is not set)") + ", and " +
           page.repo_error;
}

}  // namespace

Resolution resolve(const config::MappingConfig& mapping, const std::string& default_token_secret,
                   const ContextFacts& facts) {
    Resolution out;
    const auto page = read_page(mapping, facts);
    std::string why_not;
    PageNames names;
    if (page.repo) {
        names.org_repo = page.repo->org + "/" + page.repo->repo;
        names.org_repo_lower = ascii_lower(names.org_repo);
    }
    Captures captures, url_captures;
    for (const auto& rule : mapping.rules) {
        if (!rule_matches(rule, page, names, facts.url, captures, url_captures)) {
            continue;
        }
        const auto rfacts = rule_facts(page, &rule, url_captures);
        out.facts = resolved_facts(page, rfacts);
        if (rule.exclude) {
            out.excluded = true;
            out.reason = "excluded by the rule at " + mapping.where(rule.pos) +
                         (rule.name.empty() ? "" : " ('" + rule.name + "')");
            return out;
        }
        out.projects = RuleExpansion(mapping, rule, page, rfacts, captures).targets(default_token_secret, why_not);
        if (!out.projects.empty()) {
            attach_links(mapping, &rule, page, out);
            return out;
        }
    }
    const auto pfacts = rule_facts(page, nullptr, {});
    out.facts = resolved_facts(page, pfacts);
    const bool decided = (page.repo && by_repository(mapping, default_token_secret, page, pfacts, out)) ||
                         by_service(mapping, default_token_secret, page, pfacts, out);
    if (!out.projects.empty()) {
        attach_links(mapping, nullptr, page, out);
        return out;
    }
    if (!decided) {
        out.reason = nothing_maps(mapping, page, pfacts, facts.resource_name);
    }
    if (!why_not.empty()) {
        out.reason = why_not + "; " + out.reason;
    }
    return out;
}

}  // namespace tjc::mapping
