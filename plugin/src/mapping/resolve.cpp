#include "mapping/resolve.hpp"

#include "util/ascii.hpp"

#include "mapping/repo_url.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace tjc::mapping {

namespace {

using config::RepoPattern;
using config::Rule;

bool valid_segment(std::string_view s) {
    return !s.empty() && s.size() <= 100 && s != "." && s != ".." &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) {
               return std::isalnum(c) || c == '-' || c == '_' || c == '.';
           });
}

// An expanded slug must still be <vcs>/<org>/<repo>: a context value such as env may not
// smuggle in a '/', "..", or anything a URL path would need escaped.
bool valid_slug(std::string_view slug) {
    int parts = 0;
    std::size_t start = 0;
    while (true) {
        const auto slash = slug.find('/', start);
        if (!valid_segment(slug.substr(start, slash == std::string_view::npos ? slug.npos : slash - start)))
            return false;
        ++parts;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return parts == 3;
}

// The repo the page is about, with its host filled in when the context gives only org/repo.
struct PageRepo {
    std::optional<RepoRef> ref;
    std::string error;
};

PageRepo page_repo(const ContextFacts& facts) {
    PageRepo out;
    const std::string& source = !facts.repository.empty() ? facts.repository : facts.url;
    if (source.empty()) {
        out.error = "the context names no repository (page.repository or url)";
        return out;
    }
    auto ref = parse_repo_ref(source);
    if (!ref) {
        out.error = ref.error();
        return out;
    }
    out.ref = std::move(ref).value();
    if (out.ref->host.empty()) {
        // page.repository is "org/repo": the page URL says which host (GitHub Enterprise too).
        if (auto from_url = parse_repo_ref(facts.url);
            from_url && ascii_lower(from_url->org) == ascii_lower(out.ref->org) && ascii_lower(from_url->repo) == ascii_lower(out.ref->repo)) {
            out.ref->host = from_url->host;
        } else if (facts.type.empty() || facts.type == "github") {
            out.ref->host = "github.com";
        }
    }
    return out;
}

// The page's "org/repo" as rules compare it, made once per resolve rather than once per rule.
struct PageNames {
    std::string org_repo;        // as the page gave it
    std::string org_repo_lower;  // exact rules compare without case
};

bool rule_matches(const Rule& rule, const std::optional<RepoRef>& ref, const PageNames& names,
                  const std::string& service, RepoPattern::Captures& captures) {
    captures.clear();
    if (!rule.host.empty() && (!ref || ref->host != rule.host)) return false;
    if (!rule.service.empty() && service != rule.service) return false;
    if (!rule.repo.empty() || rule.has_pattern || !rule.regex.empty()) {
        if (!ref) return false;
        if (!rule.repo.empty()) return names.org_repo_lower == rule.repo;
        if (rule.has_pattern) return rule.pattern.match(names.org_repo, captures);
        return rule.regex.match(names.org_repo, captures);
    }
    return true;
}

class RuleExpansion {
public:
    RuleExpansion(const config::MappingConfig& mapping, const Rule& rule, const std::optional<RepoRef>& ref,
                  const ContextFacts& facts, const RepoPattern::Captures& captures)
        : mapping_(mapping), rule_(rule), ref_(ref), facts_(facts), captures_(captures) {}

    std::optional<std::string> value(std::string_view name) const {
        // An exact rule names the repo as the admin wrote it: GitHub ignores case, slugs keep it.
        if (name == "org") return !rule_.repo.empty() ? rule_.repo_org : ref_ ? std::optional(ref_->org) : std::nullopt;
        if (name == "repo") return !rule_.repo.empty() ? rule_.repo_name : ref_ ? std::optional(ref_->repo) : std::nullopt;
        if (name == "host") return ref_ ? std::optional(ref_->host) : std::nullopt;
        if (name == "service") return facts_.service;
        if (name == "env") return facts_.env;
        if (name == "branch") return branch();
        for (const auto& [k, v] : captures_) {
            if (k == name) return v;
        }
        return std::nullopt;
    }

    std::string branch() const { return !rule_.branch.empty() ? rule_.branch : facts_.branch; }

    // The rule's projects for this page; why_not says why a project was left out.
    std::vector<ProjectTarget> targets(const std::string& default_secret, std::string& why_not) const {
        const auto lookup = [this](std::string_view n) { return value(n); };
        const std::string service = ascii_lower(facts_.service);
        std::vector<ProjectTarget> out;
        for (const auto& spec : rule_.projects) {
            if (!spec.service.empty() && !service.empty() && spec.service != service) {
                why_not = "the rule at " + mapping_.where(rule_.pos) + " has no project for service '" +
                          facts_.service + "'";
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
            ProjectTarget t;
            t.slug = std::move(*slug);
            t.rule = mapping_.where(rule_.pos);
            t.rule_name = rule_.name;
            t.branch = branch();
            t.commit = facts_.commit;
            t.token_secret = !rule_.token_secret.empty() ? rule_.token_secret : default_secret;
            t.service = facts_.service;
            t.env = facts_.env;
            t.cards = rule_.cards;
            const auto& filters = spec.has_filters ? spec.filters : rule_.filters;
            for (const auto& w : filters.workflows) {
                if (auto name = w.expand(lookup)) t.workflows.push_back(std::move(*name));
            }
            for (const auto& [param, templ] : filters.parameters) {
                if (auto v = templ.expand(lookup)) t.parameters.emplace_back(param, std::move(*v));
            }
            out.push_back(std::move(t));
        }
        return out;
    }

private:
    const config::MappingConfig& mapping_;
    const Rule& rule_;
    const std::optional<RepoRef>& ref_;
    const ContextFacts& facts_;
    const RepoPattern::Captures& captures_;
};

ProjectTarget base_target(const ContextFacts& facts, const std::string& token_secret) {
    ProjectTarget t;
    t.branch = facts.branch;
    t.commit = facts.commit;
    t.token_secret = token_secret;
    t.service = facts.service;
    t.env = facts.env;
    return t;
}

}  // namespace

Resolution resolve(const config::MappingConfig& mapping, const std::string& default_token_secret,
                   const ContextFacts& facts) {
    Resolution out;
    const auto page = page_repo(facts);
    const std::string service = ascii_lower(facts.service);
    std::string why_not;

    PageNames names;
    if (page.ref) {
        names.org_repo = page.ref->org + "/" + page.ref->repo;
        names.org_repo_lower = ascii_lower(names.org_repo);
    }
    RepoPattern::Captures captures;
    for (const auto& rule : mapping.rules) {
        if (!rule_matches(rule, page.ref, names, service, captures)) continue;
        if (rule.exclude) {
            out.excluded = true;
            out.reason = "excluded by the rule at " + mapping.where(rule.pos) +
                         (rule.name.empty() ? "" : " ('" + rule.name + "')");
            return out;
        }
        out.projects = RuleExpansion(mapping, rule, page.ref, facts, captures).targets(default_token_secret, why_not);
        if (!out.projects.empty()) return out;
    }
    if (!page.ref) {
        out.reason = !facts.service.empty() ? "no rule maps service '" + facts.service + "', and " + page.error
                                            : page.error;
        if (!why_not.empty()) out.reason = why_not + "; " + out.reason;
        return out;
    }
    const auto& ref = *page.ref;
    for (const auto& org : mapping.organizations) {
        if (org.host != ref.host || org.org != ascii_lower(ref.org)) continue;
        const auto& secret = !org.token_secret.empty() ? org.token_secret : default_token_secret;
        auto t = base_target(facts, secret);
        t.rule = mapping.where(org.pos);
        if (auto id = org.projects.find(ascii_lower(ref.repo)); id != org.projects.end()) {
            t.slug = "circleci/" + org.org_id + "/" + id->second;
        } else if (org.lookup) {
            const auto vcs = std::find_if(mapping.vcs_hosts.begin(), mapping.vcs_hosts.end(),
                                          [&](const config::VcsHost& v) { return v.host == ref.host; });
            if (vcs == mapping.vcs_hosts.end()) {
                out.reason = "the organization at " + mapping.where(org.pos) + " asks CircleCI by name, but '" +
                             ref.host + "' has no VCS prefix to name the project with: list its project id";
                return out;
            }
            t.lookup = SlugLookup{org.org_id, ref.host, ref.org, ref.repo, vcs->prefix + "/" + ref.org + "/" + ref.repo};
        } else {
            out.reason = "the organization at " + mapping.where(org.pos) + " lists no project id for '" + ref.repo +
                         "' (add it under projects, or set lookup: true)";
            return out;
        }
        out.projects.push_back(std::move(t));
        return out;
    }
    for (const auto& vcs : mapping.vcs_hosts) {
        if (vcs.host != ref.host) continue;
        auto t = base_target(facts, default_token_secret);
        t.slug = vcs.prefix + "/" + ref.org + "/" + ref.repo;
        t.rule = "default convention (" + vcs.host + " -> " + vcs.prefix + "/<org>/<repo>)";
        out.projects.push_back(std::move(t));
        return out;
    }
    out.reason = "no rule maps '" + ref.org + "/" + ref.repo + "' and '" +
                 (ref.host.empty() ? std::string("(no host)") : ref.host) + "' is not a known VCS host";
    if (!why_not.empty()) out.reason = why_not + "; " + out.reason;
    return out;
}

}  // namespace tjc::mapping
