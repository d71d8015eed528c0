#include "config/mapping_rules.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>

namespace tjc::config {

namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.'; }

// A GitHub/Bitbucket org or repo name, a project id, a service tag.
bool valid_name(std::string_view s) {
    return !s.empty() && s.size() <= 100 && s != "." && s != ".." && std::all_of(s.begin(), s.end(), name_char);
}

bool valid_host(std::string_view s) {
    return !s.empty() && s.size() <= 253 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::islower(c) || std::isdigit(c) || c == '-' || c == '.';
    });
}

bool valid_secret_name(std::string_view s) {
    return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '-' || c == '.';
    });
}

SourcePos pos_of(const YAML::Node& n) { return {line_of(n), column_of(n)}; }

// Everything one rule's templates may name.
struct Scope {
    std::set<std::string, std::less<>> names{"org", "repo", "host", "service", "env", "team", "branch"};
};

// What a link may name: the page's facts (a rule's links also its captures).
const std::set<std::string, std::less<>> kLinkScope{"service", "env", "team", "org", "repo", "branch"};

bool valid_icon(std::string_view s) {
    return !s.empty() && s.size() <= 40 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::islower(c) || std::isdigit(c) || c == '-' || c == '_';
    });
}

class RuleParser {
public:
    RuleParser(MappingConfig& out, Diagnostics& diag) : out_(out), diag_(diag) {
        for (const auto& v : out_.vcs_hosts) {
            prefixes_.insert(v.prefix);
        }
        prefixes_.insert({"gh", "bb", "github", "bitbucket", "circleci"});
    }

    void rule(const YAML::Node& node, const std::string& path, std::size_t index);
    // A slug template over scope's names that must have the shape <vcs>/<org>/<repo>.
    std::optional<Template> slug(const YAML::Node& n, const std::string& key, const Scope& scope) {
        auto t = templ(n, key, scope);
        if (t) {
            slug_shape(n, key, *t);
        }
        return t;
    }

private:
    void error(const YAML::Node& n, const std::string& key, std::string message) {
        diag_.error(line_of(n), column_of(n), key, std::move(message));
    }
    // A template whose placeholders all exist in scope; nullopt (reported) otherwise.
    std::optional<Template> templ(const YAML::Node& n, const std::string& key, const Scope& scope);
    void slug_shape(const YAML::Node& n, const std::string& key, const Template& t);
    bool filters(MapReader& parent, std::string_view key, const Scope& scope, Filters& out);
    bool project(const YAML::Node& n, const std::string& key, const Scope& scope, ProjectSpec& out);
    // The steps of rule().
    int repo_matchers(MapReader& r, const std::string& path, Rule& rule, Scope& scope, std::string& repo_host);
    bool url_matcher(MapReader& r, const std::string& path, Rule& rule, Scope& scope);
    bool projects(MapReader& r, const std::string& path, Rule& rule, const Scope& scope);
    void outputs(MapReader& r, const std::string& path, Rule& rule, const Scope& scope);

    MappingConfig& out_;
    Diagnostics& diag_;
    std::set<std::string, std::less<>> prefixes_;
};

std::optional<Template> RuleParser::templ(const YAML::Node& n, const std::string& key, const Scope& scope) {
    if (!n.IsScalar()) {
        error(n, key, "expected a string");
        return std::nullopt;
    }
    auto t = Template::parse(n.Scalar());
    if (!t) {
        error(n, key, "'" + n.Scalar() + "': " + t.error());
        return std::nullopt;
    }
    bool ok = true;
    for (const auto& name : t->placeholders()) {
        if (scope.names.contains(name)) {
            continue;
        }
        std::string known;
        for (const auto& k : scope.names) {
            known += (known.empty() ? "" : ", ") + ("{" + k + "}");
        }
        error(n, key, "placeholder '{" + name + "}' does not exist here (known: " + known + ")");
        ok = false;
    }
    if (!ok) {
        return std::nullopt;
    }
    return std::move(t).value();
}

// A slug is <prefix>/<org>/<repo>: checks what the literal parts already show.
void RuleParser::slug_shape(const YAML::Node& n, const std::string& key, const Template& t) {
    std::vector<std::string> segs{""};
    std::vector<bool> dynamic{false};
    for (const auto& p : t.parts()) {
        if (p.placeholder) {
            dynamic.back() = true;
            segs.back() += "x";
            continue;
        }
        for (char c : p.text) {
            if (c == '/') {
                segs.emplace_back();
                dynamic.push_back(false);
            } else {
                segs.back() += c;
            }
        }
    }
    if (segs.size() != 3) {
        error(n, key, "'" + t.source() + "' is not a project slug <vcs>/<org>/<repo>");
        return;
    }
    if (!dynamic[0] && !prefixes_.contains(segs[0])) {
        error(n, key,
              "'" + t.source() + "': unknown VCS prefix '" + segs[0] + "' (gh, bb, circleci or a vcs_hosts prefix)");
        return;
    }
    for (const auto& s : segs) {
        if (!valid_name(s)) {
            error(n, key, "'" + t.source() + "': '" + s + "' is not a valid slug segment");
            return;
        }
    }
}

bool RuleParser::filters(MapReader& parent, std::string_view key, const Scope& scope, Filters& out) {
    const auto node = parent.child(key);
    if (!node.IsDefined()) {
        return false;
    }
    const auto path = parent.path_of(key);
    MapReader r(node, path, diag_);
    if (!r.valid()) {
        return false;
    }
    if (const auto wf = r.child("workflows"); wf.IsDefined()) {
        if (!wf.IsSequence()) {
            error(wf, path + ".workflows", "expected a list of workflow name patterns");
        } else {
            for (std::size_t i = 0; i < wf.size(); ++i) {
                if (auto t = templ(wf[i], path + ".workflows[" + std::to_string(i) + "]", scope)) {
                    out.workflows.push_back(std::move(*t));
                }
            }
        }
    }
    if (const auto params = r.child("parameters"); params.IsDefined()) {
        if (!params.IsMap()) {
            error(params, path + ".parameters", "expected a mapping of pipeline parameter -> value");
        } else {
            for (const auto& kv : params) {
                const auto name = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
                const auto ppath = path + ".parameters." + name;
                if (!valid_name(name)) {
                    error(kv.first, ppath, "'" + name + "' is not a pipeline parameter name");
                    continue;
                }
                if (auto t = templ(kv.second, ppath, scope)) {
                    out.parameters.emplace_back(name, std::move(*t));
                }
            }
        }
    }
    r.finish();
    return true;
}

bool RuleParser::project(const YAML::Node& n, const std::string& key, const Scope& scope, ProjectSpec& out) {
    out.pos = pos_of(n);
    if (n.IsScalar()) {
        auto t = templ(n, key, scope);
        if (!t) {
            return false;
        }
        slug_shape(n, key, *t);
        out.slug = std::move(*t);
        return true;
    }
    MapReader r(n, key, diag_);
    if (!r.valid()) {
        return false;
    }
    const auto slug = r.child("slug");
    bool ok = false;
    if (!slug.IsDefined()) {
        error(n, key, "a project needs 'slug'");
    } else if (auto t = templ(slug, key + ".slug", scope)) {
        slug_shape(slug, key + ".slug", *t);
        out.slug = std::move(*t);
        ok = true;
    }
    if (r.read("service", out.service)) {
        out.service = ascii_lower(out.service);
        if (!valid_name(out.service)) {
            error(r.child("service"), key + ".service", "not a service name");
        }
    }
    out.has_filters = filters(r, "filters", scope, out.filters);
    r.finish();
    return ok;
}

// repo, repo_pattern, repo_regex: how many were given; the exact repo's host in repo_host.
int RuleParser::repo_matchers(MapReader& r, const std::string& path, Rule& rule, Scope& scope, std::string& repo_host) {
    int matchers = 0;
    if (std::string repo; r.read("repo", repo)) {
        ++matchers;
        std::vector<std::string> segs{""};
        for (char c : repo) {
            if (c == '/') {
                segs.emplace_back();
            } else {
                segs.back().push_back(c);
            }
        }
        if (segs.size() == 3) {
            repo_host = ascii_lower(segs[0]), segs.erase(segs.begin());
        }
        if (segs.size() != 2 || !valid_name(segs[0]) || !valid_name(segs[1]) ||
            (!repo_host.empty() && !valid_host(repo_host))) {
            error(r.child("repo"), path + ".repo", "'" + repo + "' is not <org>/<repo> or <host>/<org>/<repo>");
        } else {
            rule.repo_org = segs[0];
            rule.repo_name = segs[1];
            rule.repo = ascii_lower(segs[0] + "/" + segs[1]);
        }
    }
    if (std::string pattern; r.read("repo_pattern", pattern)) {
        ++matchers;
        auto p = RepoPattern::compile(pattern);
        if (!p) {
            error(r.child("repo_pattern"), path + ".repo_pattern", "'" + pattern + "': " + p.error());
        } else {
            rule.has_pattern = true;
            rule.pattern = std::move(p).value();
            for (auto& c : rule.pattern.capture_names()) {
                scope.names.insert(c);
            }
        }
    }
    if (std::string source; r.read("repo_regex", source)) {
        ++matchers;
        auto re = RepoRegex::compile(source);
        if (!re) {
            error(r.child("repo_regex"), path + ".repo_regex",
                  "invalid regular expression '" + source + "': " + re.error());
        } else {
            rule.regex = std::move(re).value();
            for (unsigned i = 1; i <= rule.regex.groups(); ++i) {
                scope.names.insert(std::to_string(i));
            }
        }
    }
    return matchers;
}

// url_pattern: its captures join the rule's scope. True when given.
bool RuleParser::url_matcher(MapReader& r, const std::string& path, Rule& rule, Scope& scope) {
    std::string source;
    if (!r.read("url_pattern", source)) {
        return false;
    }
    auto u = UrlPattern::compile(source);
    if (!u) {
        error(r.child("url_pattern"), path + ".url_pattern", "'" + source + "': " + u.error());
        return true;
    }
    rule.has_url_pattern = true;
    rule.url_pattern = std::move(u).value();
    for (auto& c : rule.url_pattern.capture_names()) {
        scope.names.insert(c);
    }
    return true;
}

// project or projects; true when either is given.
bool RuleParser::projects(MapReader& r, const std::string& path, Rule& rule, const Scope& scope) {
    const auto one = r.child("project");
    const auto many = r.child("projects");
    if (one.IsDefined() && many.IsDefined()) {
        error(many, path + ".projects", "use either 'project' or 'projects'");
    }
    if (one.IsDefined()) {
        ProjectSpec spec;
        if (project(one, path + ".project", scope, spec)) {
            rule.projects.push_back(std::move(spec));
        }
    } else if (many.IsDefined()) {
        if (!many.IsSequence() || many.size() == 0) {
            error(many, path + ".projects", "expected a non-empty list of projects");
        } else {
            for (std::size_t i = 0; i < many.size(); ++i) {
                ProjectSpec spec;
                if (project(many[i], path + ".projects[" + std::to_string(i) + "]", scope, spec)) {
                    rule.projects.push_back(std::move(spec));
                }
            }
        }
    }
    return one.IsDefined() || many.IsDefined();
}

// branch, token_secret, cards, filters, team and links.
void RuleParser::outputs(MapReader& r, const std::string& path, Rule& rule, const Scope& scope) {
    if (r.read("branch", rule.branch) && rule.branch.empty()) {
        error(r.child("branch"), path + ".branch", "an empty branch override");
    }
    if (r.read("token_secret", rule.token_secret) && !valid_secret_name(rule.token_secret)) {
        error(r.child("token_secret"), path + ".token_secret", "'" + rule.token_secret + "' is not a secret name");
    }
    if (r.read("cards", rule.cards)) {
        const auto cards = r.child("cards");
        for (std::size_t i = 0; i < rule.cards.size(); ++i) {
            if (std::find(std::begin(kCardKinds), std::end(kCardKinds), rule.cards[i]) != std::end(kCardKinds)) {
                continue;
            }
            std::string known;
            for (auto c : kCardKinds) {
                known += (known.empty() ? "" : ", ") + std::string(c);
            }
            error(cards[i], path + ".cards[" + std::to_string(i) + "]",
                  "unknown card '" + rule.cards[i] + "' (known: " + known + ")");
        }
    }
    filters(r, "filters", scope, rule.filters);
    if (r.read("team", rule.team) && !valid_name(rule.team)) {
        error(r.child("team"), path + ".team", "'" + rule.team + "' is not a team name");
    }
    if (const auto links = r.child("links"); links.IsDefined()) {
        auto link_scope = kLinkScope;
        for (const auto& name : scope.names) {
            if (name != "host") {
                link_scope.insert(name);
            }
        }
        rule.links = parse_links(links, path + ".links", link_scope, diag_);
    }
}

void RuleParser::rule(const YAML::Node& node, const std::string& path, std::size_t index) {
    const auto errors_before = diag_.all().size();
    MapReader r(node, path, diag_);
    if (!r.valid()) {
        return;
    }
    if (node.IsNull()) {
        error(node, path, "empty rule");
        return;
    }
    Rule rule;
    rule.pos = pos_of(node);
    r.read("name", rule.name);

    Scope scope;
    std::string repo_host;
    int matchers = repo_matchers(r, path, rule, scope, repo_host);
    if (matchers > 1) {
        error(node, path, "use one of repo, repo_pattern and repo_regex");
    }
    matchers += url_matcher(r, path, rule, scope) ? 1 : 0;
    if (r.read("host", rule.host)) {
        rule.host = ascii_lower(rule.host);
        if (!valid_host(rule.host)) {
            error(r.child("host"), path + ".host", "'" + rule.host + "' is not a host name");
        }
        if (!repo_host.empty() && repo_host != rule.host) {
            error(r.child("host"), path + ".host", "conflicts with the host in 'repo'");
        }
    }
    if (rule.host.empty()) {
        rule.host = repo_host;
    }
    if (r.read("service", rule.service)) {
        rule.service = ascii_lower(rule.service);
        if (!valid_name(rule.service)) {
            error(r.child("service"), path + ".service", "not a service name");
        }
    }
    if (matchers == 0 && rule.service.empty() && rule.host.empty()) {
        error(node, path, "a rule needs repo, repo_pattern, repo_regex, url_pattern, service or host to match on");
    }

    r.read("exclude", rule.exclude);
    const bool gives = projects(r, path, rule, scope);
    outputs(r, path, rule, scope);
    if (rule.exclude &&
        (gives || !rule.branch.empty() || !rule.token_secret.empty() || !rule.cards.empty() || !rule.links.empty())) {
        error(node, path, "an exclude rule shows nothing: it takes no project, branch, token_secret, cards or links");
    }
    if (!rule.exclude && !gives) {
        error(node, path, "a rule needs 'project' or 'projects' (or 'exclude: true')");
    }
    r.finish();
    // A broken rule is already reported; keeping it out spares bogus duplicate warnings.
    if (diag_.all().size() != errors_before) {
        return;
    }
    rule.index = index;
    out_.rules.push_back(std::move(rule));
}

// The placeholders a rule's match guarantees a value for.
bool guaranteed(const Rule& rule, const std::string& name) {
    const auto captured = [&] {
        const auto names = rule.url_pattern.capture_names();
        return rule.has_url_pattern && std::find(names.begin(), names.end(), name) != names.end();
    };
    if (name == "service") {
        return !rule.service.empty() || captured();
    }
    if (name == "org" || name == "repo") {
        return !rule.repo.empty() || rule.has_pattern || !rule.regex.empty();
    }
    if (name == "env" || name == "team") {
        return captured();
    }
    if (name == "branch" || name == "host") {
        return false;
    }
    return true;  // a capture of the rule's own pattern, regex or url_pattern
}

// True when every context the rule matches gets projects from it, so rules after it that
// match a subset are unreachable.
bool always_maps(const Rule& rule) {
    if (rule.exclude) {
        return true;
    }
    return std::any_of(rule.projects.begin(), rule.projects.end(), [&](const ProjectSpec& p) {
        if (!p.service.empty()) {
            return false;
        }
        const auto names = p.slug.placeholders();
        return std::all_of(names.begin(), names.end(), [&](const std::string& n) { return guaranteed(rule, n); });
    });
}

// Does every context that b matches also match a?
bool covers(const Rule& a, const Rule& b) {
    if (a.has_url_pattern && (!b.has_url_pattern || a.url_pattern.source() != b.url_pattern.source())) {
        return false;
    }
    if (!a.host.empty() && a.host != b.host) {
        return false;
    }
    if (!a.service.empty() && a.service != b.service) {
        return false;
    }
    if (!a.repo.empty()) {
        return a.repo == b.repo;
    }
    if (a.has_pattern) {
        if (b.has_pattern) {
            return a.pattern.shape() == b.pattern.shape();
        }
        RepoPattern::Captures unused;
        return !b.repo.empty() && a.pattern.match(b.repo, unused);
    }
    if (!a.regex.empty()) {
        if (!b.regex.empty()) {
            return a.regex.source() == b.regex.source();
        }
        RepoPattern::Captures unused;
        return !b.repo.empty() && a.regex.match(b.repo, unused);
    }
    return true;  // a has no repo condition
}

std::string signature(const Rule& r) {
    std::string s = r.host + '|' + r.service + '|' + (r.has_url_pattern ? "u:" + r.url_pattern.source() : "") + '|';
    if (!r.repo.empty()) {
        return s + "r:" + r.repo;
    }
    if (r.has_pattern) {
        return s + "p:" + r.pattern.shape();
    }
    if (!r.regex.empty()) {
        return s + "x:" + r.regex.source();
    }
    return s;
}

void check_reachability(const MappingConfig& cfg, Diagnostics& diag) {
    std::unordered_map<std::string, std::size_t> seen;                // signature -> first rule
    std::unordered_map<std::string, std::vector<std::size_t>> exact;  // repo -> earlier always-mapping rules
    std::vector<std::size_t> others;                                  // earlier always-mapping non-exact rules
    const auto label = [&](std::size_t i) {
        const auto& r = cfg.rules[i];
        return "rule at line " + std::to_string(r.pos.line) + (r.name.empty() ? "" : " ('" + r.name + "')");
    };
    for (std::size_t i = 0; i < cfg.rules.size(); ++i) {
        const auto& b = cfg.rules[i];
        const std::string key = "mapping.rules[" + std::to_string(b.index) + "]";
        auto [it, fresh] = seen.emplace(signature(b), i);
        if (!fresh) {
            diag.error(b.pos.line, b.pos.column, key,
                       "duplicate: matches exactly what the " + label(it->second) + " matches, so it never applies");
        } else {
            std::optional<std::size_t> by;
            if (!b.repo.empty()) {
                if (auto e = exact.find(b.repo); e != exact.end()) {
                    for (auto a : e->second) {
                        if (covers(cfg.rules[a], b)) {
                            by = a;
                            break;
                        }
                    }
                }
            }
            for (auto a : others) {
                if (by && *by < a) {
                    break;
                }
                if (covers(cfg.rules[a], b)) {
                    by = a;
                    break;
                }
            }
            if (by) {
                diag.warning(b.pos.line, b.pos.column, key,
                             "unreachable: the earlier " + label(*by) + " already maps everything this rule matches");
            }
        }
        if (always_maps(b)) {
            (b.repo.empty() ? others : exact[b.repo]).push_back(i);
        }
    }
}

void parse_vcs_hosts(const YAML::Node& node, MappingConfig& out, Diagnostics& diag) {
    if (!node.IsDefined()) {
        return;
    }
    if (!node.IsSequence()) {
        diag.error(line_of(node), column_of(node), "mapping.vcs_hosts", "expected a list of {host, prefix}");
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto path = "mapping.vcs_hosts[" + std::to_string(i) + "]";
        MapReader r(node[i], path, diag);
        VcsHost v;
        const bool has_host = r.read("host", v.host);
        const bool has_prefix = r.read("prefix", v.prefix);
        r.finish();
        if (!r.valid()) {
            continue;
        }
        v.host = ascii_lower(v.host);
        if (!has_host || !valid_host(v.host)) {
            diag.error(line_of(node[i]), column_of(node[i]), path + ".host", "needs a host name, e.g. github.acme.com");
            continue;
        }
        if (!has_prefix || v.prefix.empty() ||
            !std::all_of(v.prefix.begin(), v.prefix.end(), [](unsigned char c) { return std::islower(c); })) {
            diag.error(line_of(node[i]), column_of(node[i]), path + ".prefix",
                       "needs a lower-case slug prefix, e.g. gh");
            continue;
        }
        auto same = std::find_if(out.vcs_hosts.begin(), out.vcs_hosts.end(), [&](auto& h) { return h.host == v.host; });
        if (same != out.vcs_hosts.end()) {
            same->prefix = v.prefix;
        } else {
            out.vcs_hosts.push_back(std::move(v));
        }
    }
}

void parse_organizations(const YAML::Node& node, MappingConfig& out, Diagnostics& diag) {
    if (!node.IsDefined()) {
        return;
    }
    if (!node.IsSequence()) {
        diag.error(line_of(node), column_of(node), "mapping.organizations", "expected a list of organizations");
        return;
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto path = "mapping.organizations[" + std::to_string(i) + "]";
        const auto n = node[i];
        MapReader r(n, path, diag);
        if (!r.valid()) {
            continue;
        }
        Organization o;
        o.pos = pos_of(n);
        if (r.read("host", o.host)) {
            o.host = ascii_lower(o.host);
        }
        if (!valid_host(o.host)) {
            diag.error(o.pos.line, o.pos.column, path + ".host", "not a host name");
        }
        if (!r.read("org", o.org) || !valid_name(o.org)) {
            diag.error(o.pos.line, o.pos.column, path + ".org", "needs the organization's name");
        }
        o.org = ascii_lower(o.org);
        if (!r.read("org_id", o.org_id) || !valid_name(o.org_id)) {
            diag.error(o.pos.line, o.pos.column, path + ".org_id", "needs the CircleCI organization id");
        }
        if (const auto projects = r.child("projects"); projects.IsDefined()) {
            if (!projects.IsMap()) {
                diag.error(line_of(projects), column_of(projects), path + ".projects",
                           "expected a mapping of repo name -> CircleCI project id");
            } else {
                for (const auto& kv : projects) {
                    const auto repo = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
                    const auto id = kv.second.IsScalar() ? kv.second.Scalar() : std::string();
                    if (!valid_name(repo) || !valid_name(id)) {
                        diag.error(line_of(kv.first), column_of(kv.first), path + ".projects." + repo,
                                   "expected <repo name>: <project id>");
                        continue;
                    }
                    if (!o.projects.emplace(ascii_lower(repo), id).second) {
                        diag.error(line_of(kv.first), column_of(kv.first), path + ".projects." + repo,
                                   "listed twice (names compare without case)");
                    }
                }
            }
        }
        if (r.read("lookup", o.lookup) && o.lookup &&
            std::none_of(out.vcs_hosts.begin(), out.vcs_hosts.end(),
                         [&](const VcsHost& v) { return v.host == o.host; })) {
            const auto n = r.child("lookup");
            diag.error(line_of(n), column_of(n), path + ".lookup",
                       "asking CircleCI needs the project's name slug, and '" + o.host +
                           "' has no VCS prefix (add it to vcs_hosts, or list the project ids)");
        }
        if (r.read("token_secret", o.token_secret) && !valid_secret_name(o.token_secret)) {
            diag.error(o.pos.line, o.pos.column, path + ".token_secret", "not a secret name");
        }
        r.finish();
        for (const auto& earlier : out.organizations) {
            if (earlier.host == o.host && earlier.org == o.org) {
                diag.error(o.pos.line, o.pos.column, path,
                           "duplicate of the organization at line " + std::to_string(earlier.pos.line));
            }
        }
        out.organizations.push_back(std::move(o));
    }
}

// default_vcs_host, service_project and resource_names: the conventions after the rules.
void parse_conventions(MapReader& reader, MappingConfig& out, Diagnostics& diag) {
    if (reader.read("default_vcs_host", out.default_vcs_host)) {
        out.default_vcs_host = ascii_lower(out.default_vcs_host);
        if (!valid_host(out.default_vcs_host)) {
            const auto n = reader.child("default_vcs_host");
            diag.error(line_of(n), column_of(n), "mapping.default_vcs_host",
                       "'" + out.default_vcs_host + "' is not a host name");
        }
    }
    if (const auto n = reader.child("service_project"); n.IsDefined()) {
        RuleParser parser(out, diag);
        Scope scope;
        scope.names = {"service", "env", "team"};
        auto slug = parser.slug(n, "mapping.service_project", scope);
        const auto names = slug ? slug->placeholders() : std::vector<std::string>{};
        if (slug && std::find(names.begin(), names.end(), "service") != names.end()) {
            out.has_service_project = true;
            out.service_project = std::move(*slug);
            out.service_project_pos = pos_of(n);
        } else if (slug) {
            diag.error(line_of(n), column_of(n), "mapping.service_project",
                       "'" + slug->source() + "' has no {service}: every service would map to one project");
        }
    }
    const auto names = reader.child("resource_names");
    if (!names.IsDefined()) {
        return;
    }
    if (!names.IsSequence()) {
        diag.error(line_of(names), column_of(names), "mapping.resource_names", "expected a list of name patterns");
        return;
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto key = "mapping.resource_names[" + std::to_string(i) + "]";
        const auto n = names[i];
        if (!n.IsScalar()) {
            diag.error(line_of(n), column_of(n), key, "expected a pattern such as \"{service}-{env}\"");
            continue;
        }
        auto p = NamePattern::compile(n.Scalar(), {"service", "env"});
        if (!p) {
            diag.error(line_of(n), column_of(n), key, "'" + n.Scalar() + "': " + p.error());
        } else if (!p->has("service")) {
            diag.error(line_of(n), column_of(n), key, "'" + n.Scalar() + "' has no {service}");
        } else {
            out.resource_names.push_back(std::move(p).value());
        }
    }
}

}  // namespace

std::vector<LinkSpec> parse_links(const YAML::Node& node, const std::string& path,
                                  const std::set<std::string, std::less<>>& scope, Diagnostics& diag) {
    std::vector<LinkSpec> out;
    if (!node.IsDefined() || node.IsNull()) {
        return out;
    }
    if (!node.IsSequence()) {
        diag.error(line_of(node), column_of(node), path, "expected a list of {name, url, icon?}");
        return out;
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto key = path + "[" + std::to_string(i) + "]";
        MapReader r(node[i], key, diag);
        if (!r.valid()) {
            continue;
        }
        LinkSpec link;
        link.pos = pos_of(node[i]);
        std::string url;
        if (!r.read("name", link.name) || link.name.empty() || link.name.size() > 100) {
            diag.error(link.pos.line, link.pos.column, key + ".name", "a link needs a name (1 to 100 characters)");
        }
        if (!r.read("url", url)) {
            diag.error(link.pos.line, link.pos.column, key + ".url", "a link needs a url");
        } else if (auto t = Template::parse(url); !t) {
            diag.error(line_of(r.child("url")), column_of(r.child("url")), key + ".url", "'" + url + "': " + t.error());
        } else {
            for (const auto& name : t->placeholders()) {
                if (!scope.contains(name)) {
                    std::string known;
                    for (const auto& k : scope) {
                        known += (known.empty() ? "" : ", ") + ("{" + k + "}");
                    }
                    diag.error(line_of(r.child("url")), column_of(r.child("url")), key + ".url",
                               "placeholder '{" + name + "}' does not exist here (known: " + known + ")");
                }
            }
            const auto lower = ascii_lower(url.substr(0, 8));
            if (!lower.starts_with("https://") && !lower.starts_with("http://")) {
                diag.error(line_of(r.child("url")), column_of(r.child("url")), key + ".url",
                           "'" + url + "' must start with https:// or http://");
            }
            link.url = std::move(t).value();
        }
        if (r.read("icon", link.icon) && !valid_icon(link.icon)) {
            diag.error(line_of(r.child("icon")), column_of(r.child("icon")), key + ".icon",
                       "'" + link.icon + "' is not an icon name (lower-case letters, digits, '-', '_')");
        }
        r.finish();
        out.push_back(std::move(link));
    }
    return out;
}

std::vector<std::string> MappingConfig::url_hosts() const {
    std::vector<std::string> out;
    for (const auto& r : rules) {
        if (r.has_url_pattern && std::find(out.begin(), out.end(), r.url_pattern.host()) == out.end()) {
            out.push_back(r.url_pattern.host());
        }
    }
    return out;
}

std::vector<std::string> MappingConfig::token_secrets() const {
    std::vector<std::string> out;
    const auto add = [&](const std::string& s) {
        if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) {
            out.push_back(s);
        }
    };
    for (const auto& r : rules) {
        add(r.token_secret);
    }
    for (const auto& o : organizations) {
        add(o.token_secret);
    }
    return out;
}

std::string MappingConfig::where(const SourcePos& pos) const {
    return source + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

MappingConfig parse_mapping(const YAML::Node& node, const std::string& path, Diagnostics& diag) {
    MappingConfig out;
    out.source = diag.file();
    MapReader reader(node, path, diag);
    if (!reader.valid()) {
        return out;
    }
    parse_vcs_hosts(reader.child("vcs_hosts"), out, diag);
    if (const auto rules = reader.child("rules"); rules.IsDefined()) {
        if (!rules.IsSequence()) {
            diag.error(line_of(rules), column_of(rules), path + ".rules", "expected a list of rules");
        } else {
            out.rules.reserve(rules.size());
            RuleParser parser(out, diag);
            for (std::size_t i = 0; i < rules.size(); ++i) {
                parser.rule(rules[i], path + ".rules[" + std::to_string(i) + "]", i);
            }
        }
    }
    parse_organizations(reader.child("organizations"), out, diag);
    parse_conventions(reader, out, diag);
    reader.finish();
    check_reachability(out, diag);
    return out;
}

}  // namespace tjc::config
