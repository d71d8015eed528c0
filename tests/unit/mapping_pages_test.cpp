// The contexts ToolJump's extension really sends (docs/tooljump-contract.md section 1), page
// kind by page kind, through parse_context and resolve: which branch, commit or PR a GitHub
// page shows, GitHub's own pages, mixed case, AWS pages, tags, dashboards, repository tags.
#include "config/config.hpp"
#include "mapping/context.hpp"
#include "mapping/explain.hpp"
#include "mapping/resolve.hpp"

#include <doctest/doctest.h>
#include <boost/json.hpp>

#include <string>
#include <vector>

using tjc::config::load_config_text;
using tjc::mapping::FactSource;
using tjc::mapping::MappedBy;
using tjc::mapping::parse_context;
using tjc::mapping::resolve;

namespace {

// A github context as the extension builds it: the repository collector, then the code
// collector (section name, resource, hash) or the pull-request collector.
std::string github(const std::string& path, const std::string& section) {
    std::string repo;
    const auto a = path.find('/', 1);
    const auto b = path.find('/', a + 1);
    repo = path.substr(1, (b == std::string::npos ? path.size() : b) - 1);
    return R"({"type":"github","url":"https://github.com)" + path + R"(","page":{"name":"repository","repository":")" +
           repo + R"(","section":)" + section + "}}";
}

std::string code(const std::string& hash, const std::string& resource) {
    return R"({"name":"code","resource":")" + resource + R"(","hash":")" + hash + R"("})";
}

tjc::mapping::ContextFacts facts_of(const std::string& json) {
    auto f = parse_context(json);
    REQUIRE_MESSAGE(f.has_value(), (f.has_value() ? std::string() : f.error()));
    return f.value();
}

const char* kConfig = R"(mapping:
  service_project: "gh/acme/{service}"
  resource_names: ["{service}-{env}", "{service}"]
  vcs_hosts:
    - {host: github.acme.internal, prefix: gh}
  rules:
    - name: grafana dashboards
      url_pattern: "https://grafana.acme.io/d/*/{service}"
      project: gh/acme/{service}
    - name: payments
      repo: acme/payments
      project: gh/acme/payments-api
      team: payments
      links:
        - {name: Runbook, url: "https://runbooks.acme.io/{service}/{env}"}
    - repo: acme/unnamed
      project: gh/acme/unnamed-api
    - service: checkout
      project: gh/acme/checkout-api
links:
  - {name: Dashboard, url: "https://grafana.acme.io/d/svc/{service}?var-env={env}", icon: grafana}
  - {name: Incidents, url: "https://incidents.acme.io/teams/{team}"}
  - {name: Code, url: "https://github.com/{org}/{repo}/tree/{branch}"}
)";

std::shared_ptr<const tjc::config::Config> config(const std::string& yaml = kConfig) {
    auto loaded = load_config_text(yaml, "/etc/tooljump/circleci.yaml");
    REQUIRE_MESSAGE(loaded.config, loaded.diagnostics.to_string());
    return loaded.config;
}

tjc::mapping::Resolution resolve_json(const tjc::config::Config& cfg, const std::string& json) {
    return resolve(cfg.mapping, cfg.circleci.token_secret, facts_of(json));
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
        out += (out.empty() ? "" : ",") + s;
    }
    return out;
}

}  // namespace

TEST_CASE("github pages: the URL, not page.section.hash, says which branch, commit or PR") {
    struct Row {
        const char* name;
        std::string context;
        std::string branch;      // certain
        std::string candidates;  // longest first, comma-joined
        std::string commit;
        std::string pull;
    };
    const Row rows[] = {
        // The front page's hash is always "main": a placeholder, not the branch viewed.
        {"front page", github("/acme/webshop", code("main", "")), "", "", "", ""},
        {"tree of a one-segment branch", github("/acme/webshop/tree/develop", code("develop", "")), "develop",
         "develop", "", ""},
        {"tree with a trailing slash", github("/acme/webshop/tree/develop/", code("develop", "")), "develop", "develop",
         "", ""},
        // A hex-looking branch on a code page is a branch, not a commit.
        {"hex-looking branch", github("/acme/webshop/tree/2024011", code("2024011", "")), "2024011", "2024011", "", ""},
        // The extension cuts "feature/x" at its first '/': hash "feature", resource "x/src/app".
        {"branch with '/' and a path", github("/acme/webshop/tree/feature/x/src/app", code("feature", "x/src/app")), "",
         "feature/x/src/app,feature/x/src,feature/x,feature", "", ""},
        {"tree of a one-segment branch with a path", github("/acme/webshop/tree/main/src", code("main", "src")), "",
         "main/src,main", "", ""},
        // A blob path ends in a file: never part of the branch.
        {"blob of a '/' branch", github("/acme/webshop/blob/release/2.1/README.md", code("release", "2.1/README.md")),
         "", "release/2.1,release", "", ""},
        {"blob of a one-segment branch", github("/acme/webshop/blob/main/README.md", code("main", "README.md")), "",
         "main", "", ""},
        {"deep blob: the 8 shortest prefixes",
         github("/acme/webshop/blob/main/a/b/c/d/e/f/g/h/i/j.cpp", code("main", "a/b/c/d/e/f/g/h/i/j.cpp")), "",
         "main/a/b/c/d/e/f/g,main/a/b/c/d/e/f,main/a/b/c/d/e,main/a/b/c/d,main/a/b/c,main/a/b,main/a,main", "", ""},
        {"encoded branch name", github("/acme/webshop/tree/fix%23123", code("fix%23123", "")), "fix#123", "fix#123", "",
         ""},
        // /commits/<branch...>: the code collector leaves the hash empty.
        {"commits of a '/' branch", github("/acme/webshop/commits/dependabot/npm/lodash", code("", "")), "",
         "dependabot/npm/lodash,dependabot/npm,dependabot", "", ""},
        {"commits of a one-segment branch", github("/acme/webshop/commits/develop", code("", "")), "develop", "develop",
         "", ""},
        {"commits of the default branch", github("/acme/webshop/commits", code("", "")), "", "", "", ""},
        {"commit page",
         github("/acme/webshop/commit/4f2a9c1e8b7d", R"({"name":"commit","resource":"","hash":"4f2a9c1e8b7d"})"), "",
         "", "4f2a9c1e8b7d", ""},
        {"pull request", github("/acme/webshop/pull/42/files", R"({"name":"pulls","pull":"42","subsection":"files"})"),
         "", "", "", "42"},
        {"pull request list", github("/acme/webshop/pulls", R"({"name":"pulls"})"), "", "", "", ""},
        {"issues", github("/acme/webshop/issues/7", R"({"name":"issues","issue":"7"})"), "", "", "", ""},
        {"actions", github("/acme/webshop/actions/runs/99", R"({"name":"actions","run":"99"})"), "", "", "", ""},
    };
    for (const auto& row : rows) {
        CAPTURE(row.name);
        const auto f = facts_of(row.context);
        CHECK(f.branch == row.branch);
        CHECK(joined(f.branch_candidates) == row.candidates);
        CHECK(f.commit == row.commit);
        CHECK(f.pull == row.pull);
    }
}

TEST_CASE("resolve: a front page shows the default branch, a '/' branch is left to the plan's candidates") {
    const auto cfg = config();
    const auto front = resolve_json(*cfg, github("/acme/webshop", code("main", "")));
    REQUIRE(front.projects.size() == 1);
    CHECK(front.projects[0].branch.empty());
    CHECK(front.projects[0].branch_candidates.empty());
    CHECK(front.projects[0].repository_page);

    const auto slash = resolve_json(*cfg, github("/acme/webshop/tree/release/2.1", code("release", "2.1")));
    REQUIRE(slash.projects.size() == 1);
    CHECK(slash.projects[0].branch.empty());
    CHECK(slash.projects[0].branch_candidates == std::vector<std::string>{"release/2.1", "release"});

    const auto pr = resolve_json(
        *cfg, github("/acme/webshop/pull/42", R"({"name":"pulls","pull":"42","subsection":"conversation"})"));
    REQUIRE(pr.projects.size() == 1);
    CHECK(pr.projects[0].pull == "42");
    CHECK(pr.projects[0].branch.empty());
}

TEST_CASE("GitHub's own top-level pages are no <org>/<repo>") {
    const auto cfg = config();
    for (const char* path : {"/orgs/acme/repositories", "/settings/profile", "/marketplace/actions/checkout",
                             "/sponsors/acme", "/topics/rust", "/features/actions", "/notifications", "/explore",
                             "/pulls", "/issues", "/login", "/new", "/organizations/acme/settings/profile",
                             "/enterprises/acme", "/apps/circleci-checks", "/codespaces", "/Orgs/Acme/teams"}) {
        CAPTURE(path);
        // The extension sets no page.repository there (no code tab): only the URL.
        const std::string ctx =
            R"({"type":"github","url":"https://github.com)" + std::string(path) + R"(","page":{"name":"profile"}})";
        const auto r = resolve_json(*cfg, ctx);
        CHECK(r.projects.empty());
        CHECK_MESSAGE(r.reason.find("own") != std::string::npos, r.reason);
    }
    // A profile page names one segment: nothing either.
    CHECK(
        resolve_json(
            *cfg,
            R"({"type":"github","url":"https://github.com/acme","page":{"name":"profile","username":"acme","isOrg":true}})")
            .projects.empty());
}

TEST_CASE("mixed case: the page's spelling first, the lower-case slug as the fallback on a 404") {
    const auto cfg = config();
    const auto mixed = resolve_json(*cfg, github("/Acme/Passing", code("main", "")));
    REQUIRE(mixed.projects.size() == 1);
    CHECK(mixed.projects[0].slug == "gh/Acme/Passing");
    CHECK(mixed.projects[0].slug_fallbacks == std::vector<std::string>{"gh/acme/passing"});
    CHECK(mixed.projects[0].mapped_by == MappedBy::host_convention);
    const auto lower = resolve_json(*cfg, github("/acme/passing", code("main", "")));
    CHECK(lower.projects[0].slug_fallbacks.empty());
    // An exact rule's slug is the admin's: no guessing.
    const auto rule = resolve_json(*cfg, github("/ACME/Payments", code("main", "")));
    REQUIRE(rule.projects.size() == 1);
    CHECK(rule.projects[0].slug == "gh/acme/payments-api");
    CHECK(rule.projects[0].slug_fallbacks.empty());
}

TEST_CASE("AWS pages: service.name is the AWS service; tags and resource names give the facts") {
    const std::string lambda =
        R"({"type":"aws","url":"https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions/webshop-prod?tab=code",)"
        R"("scope":{"region":"us-east-1"},"global":{"accountId":"123456789012"},)"
        R"("service":{"name":"lambda","section":"functions","resourceName":"webshop-prod",)"
        R"("arn":"arn:aws:lambda:us-east-1:123456789012:function:webshop-prod"})";
    const auto f = facts_of(lambda + "}");
    CHECK(f.service.empty());  // "lambda" is never a service tag
    CHECK(f.resource_name == "webshop-prod");

    SUBCASE("without tags: the resource name through mapping.resource_names, then the service convention") {
        const auto cfg = config();
        const auto r = resolve_json(*cfg, lambda + "}");
        REQUIRE(r.projects.size() == 1);
        CHECK(r.projects[0].slug == "gh/acme/webshop");
        CHECK(r.projects[0].env == "prod");
        CHECK(r.projects[0].mapped_by == MappedBy::service_convention);
        CHECK_FALSE(r.projects[0].repository_page);
        CHECK(r.facts.service.source == FactSource::resource_name);
        CHECK(r.facts.env.source == FactSource::resource_name);
    }
    SUBCASE("a tag beats the resource name") {
        const auto cfg = config();
        const auto r = resolve_json(*cfg, lambda + R"(,"tags":["service:checkout","team:payments"]})");
        REQUIRE(r.projects.size() == 1);
        CHECK(r.projects[0].slug == "gh/acme/checkout-api");  // the service rule
        CHECK(r.projects[0].env == "prod");                   // still from the resource name
        CHECK(r.projects[0].team == "payments");
        CHECK(r.facts.service.source == FactSource::tag);
    }
    SUBCASE("without resource_names or service_project nothing maps, at once and with a reason") {
        const auto cfg = config("");
        const auto r = resolve_json(*cfg, lambda + "}");
        CHECK(r.projects.empty());
        CHECK_MESSAGE(r.reason.find("is not a known VCS host") != std::string::npos, r.reason);
        CHECK_MESSAGE(r.reason.find("no mapping.resource_names pattern matches 'webshop-prod'") != std::string::npos,
                      r.reason);
    }
    SUBCASE("a repository tag on an AWS page") {
        const auto cfg = config("");
        const auto r = resolve_json(*cfg, lambda + R"(,"tags":{"Repository":"acme/webshop"}})");
        REQUIRE(r.projects.size() == 1);
        CHECK(r.projects[0].slug == "gh/acme/webshop");
        CHECK(r.projects[0].mapped_by == MappedBy::host_convention);
        CHECK(r.facts.repository.source == FactSource::tag);
    }
}

TEST_CASE("tags: a list of key:value or an object, keys without case; a context's own keys first") {
    const auto list = facts_of(
        R"({"type":"generic","url":"https://status.acme.io","tags":["Service: webshop ","ENV:prod","team:payments","owner:x","repository:acme/webshop"]})");
    CHECK(list.service.value == "webshop");
    CHECK(list.service.source == FactSource::tag);
    CHECK(list.env.value == "prod");
    CHECK(list.team.value == "payments");
    CHECK(list.repository_tag.value == "acme/webshop");

    const auto object = facts_of(R"({"type":"generic","url":"u","tags":{"SERVICE":"webshop","Env":"prod","cost":12}})");
    CHECK(object.service.value == "webshop");
    CHECK(object.env.value == "prod");

    const auto keys = facts_of(
        R"({"type":"generic","url":"u","service":"checkout","env":"staging","team":"core","repository":"acme/checkout","tags":["service:webshop","env:prod","team:x"]})");
    CHECK(keys.service.value == "checkout");
    CHECK(keys.service.source == FactSource::context_key);
    CHECK(keys.env.value == "staging");
    CHECK(keys.team.value == "core");
    CHECK(keys.repository_tag.value == "acme/checkout");
    CHECK(keys.repository_tag.source == FactSource::context_key);

    // service.name is a service tag on every type but aws.
    const auto named = facts_of(R"({"type":"generic","url":"u","service":{"name":"webshop"}})");
    CHECK(named.service.value == "webshop");
    CHECK(named.service.source == FactSource::service_name);

    CHECK_FALSE(parse_context(R"({"type":"generic","url":"u","tags":{"service":3}})").has_value());
    CHECK_FALSE(parse_context(R"({"type":"generic","url":"u","tags":"service:x"})").has_value());
}

TEST_CASE("a generic dashboard page: a url_pattern rule with captures") {
    const auto cfg = config();
    const auto r =
        resolve_json(*cfg, R"({"type":"generic","url":"https://grafana.acme.io/d/8Hx2/webshop?orgId=1&var-env=prod"})");
    REQUIRE(r.projects.size() == 1);
    CHECK(r.projects[0].slug == "gh/acme/webshop");
    CHECK(r.projects[0].rule_name == "grafana dashboards");
    CHECK(r.facts.service.value == "webshop");
    CHECK(r.facts.service.source == FactSource::url_pattern);
    // An explicit tag beats the capture.
    const auto tagged = resolve_json(
        *cfg, R"({"type":"generic","url":"https://grafana.acme.io/d/8Hx2/webshop","tags":["service:billing"]})");
    REQUIRE(tagged.projects.size() == 1);
    CHECK(tagged.projects[0].slug == "gh/acme/billing");
    CHECK(tagged.facts.service.source == FactSource::tag);
    // Another host, or a path the pattern does not match: not this rule.
    CHECK(resolve_json(*cfg, R"({"type":"generic","url":"https://grafana.other.io/d/8Hx2/webshop"})").projects.empty());
    CHECK(resolve_json(*cfg, R"({"type":"generic","url":"https://grafana.acme.io/explore"})").projects.empty());
    CHECK(cfg->custom_domains() == std::vector<std::string>{"grafana.acme.io"});
}

TEST_CASE("a page with only a repository: the default VCS host") {
    const auto r = resolve_json(
        *config(""), R"({"type":"generic","url":"https://pagerduty.com/incidents/P1","repository":"acme/webshop"})");
    REQUIRE(r.projects.size() == 1);
    CHECK(r.projects[0].slug == "gh/acme/webshop");
    CHECK_FALSE(r.projects[0].repository_page);
    const auto bb =
        resolve_json(*config("mapping:\n  default_vcs_host: bitbucket.org\n"),
                     R"({"type":"generic","url":"https://pagerduty.com/x","tags":["repository:acme/webshop"]})");
    REQUIRE(bb.projects.size() == 1);
    CHECK(bb.projects[0].slug == "bb/acme/webshop");
    // The page's own repository beats a repository tag.
    const auto page =
        resolve_json(*config(""), github("/acme/passing", code("main", "")).insert(1, R"("repository":"acme/other",)"));
    REQUIRE(page.projects.size() == 1);
    CHECK(page.projects[0].slug == "gh/acme/passing");
}

TEST_CASE("VCS host pages reach us as generic contexts") {
    const auto cfg = config();
    const auto bb =
        resolve_json(*cfg, R"({"type":"generic","url":"https://bitbucket.org/acme/legacy/src/master/README.md"})");
    REQUIRE(bb.projects.size() == 1);
    CHECK(bb.projects[0].slug == "bb/acme/legacy");
    CHECK(bb.projects[0].repository_page);
    CHECK(resolve_json(*cfg, R"({"type":"generic","url":"https://bitbucket.org/account/settings"})").projects.empty());
    const auto ghe =
        resolve_json(*cfg, R"({"type":"generic","url":"https://github.acme.internal/team/app/tree/feature/x/src"})");
    REQUIRE(ghe.projects.size() == 1);
    CHECK(ghe.projects[0].slug == "gh/team/app");
    CHECK(ghe.projects[0].branch_candidates == std::vector<std::string>{"feature/x/src", "feature/x", "feature"});
    // A page on a host nobody named is not a repository page.
    CHECK(resolve_json(*cfg, R"({"type":"generic","url":"https://wiki.acme.io/acme/webshop"})").projects.empty());
}

TEST_CASE("links: placeholders filled and encoded, a link without a value left out, the rule's first") {
    const auto cfg = config();
    const auto r = resolve_json(
        *cfg,
        github("/acme/payments/tree/main", code("main", "")).insert(1, R"("tags":["env:prod","service:pay ments"],)"));
    REQUIRE(r.projects.size() == 1);
    const auto& links = r.projects[0].links;
    REQUIRE(links.size() == 4);
    CHECK(links[0].name == "Runbook");
    CHECK(links[0].url == "https://runbooks.acme.io/pay%20ments/prod");
    CHECK(links[1].url == "https://grafana.acme.io/d/svc/pay%20ments?var-env=prod");
    CHECK(links[1].icon == "grafana");
    CHECK(links[2].url == "https://incidents.acme.io/teams/payments");  // the rule's team
    CHECK(links[3].url == "https://github.com/acme/payments/tree/main");

    // The front page: no env, no team, no certain branch: those links are left out.
    const auto front = resolve_json(*cfg, github("/acme/webshop", code("main", "")));
    REQUIRE(front.projects.size() == 1);
    CHECK(front.projects[0].links.empty());
}

TEST_CASE("how a project was mapped, and labels for cards that never hold a server path") {
    const auto cfg = config();
    const auto named = resolve_json(*cfg, github("/acme/payments", code("main", "")));
    REQUIRE(named.projects.size() == 1);
    CHECK(named.projects[0].mapped_by == MappedBy::rule);
    CHECK(named.projects[0].rule_label == "rule 'payments'");
    CHECK(named.projects[0].rule.find("/etc/tooljump/circleci.yaml:") == 0);  // for admins

    const auto unnamed = resolve_json(*cfg, github("/acme/unnamed", code("main", "")));
    REQUIRE(unnamed.projects.size() == 1);
    CHECK(unnamed.projects[0].rule_label == "mapping rule #3");

    const auto convention = resolve_json(*cfg, github("/acme/webshop", code("main", "")));
    CHECK(convention.projects[0].rule_label == "the github.com convention (gh/<org>/<repo>)");
    CHECK(tjc::mapping::is_convention(convention.projects[0].mapped_by));
    CHECK_FALSE(tjc::mapping::is_convention(MappedBy::rule));
    CHECK_FALSE(tjc::mapping::is_convention(MappedBy::organization));
    CHECK(tjc::mapping::is_convention(MappedBy::organization_lookup));
    for (const auto& r : {named, unnamed, convention}) {
        // No path of the server: no config file name, no directory.
        CHECK(r.projects[0].rule_label.find(".yaml") == std::string::npos);
        CHECK(r.projects[0].rule_label.find("/etc") == std::string::npos);
    }
}

TEST_CASE("identity: pages that differ in what the cards show never share it") {
    const auto cfg = config();
    const auto id = [&](const std::string& ctx) {
        const auto r = resolve_json(*cfg, ctx);
        REQUIRE(r.projects.size() == 1);
        return r.projects[0].identity();
    };
    const auto pr1 = id(github("/acme/webshop/pull/1", R"({"name":"pulls","pull":"1"})"));
    const auto pr2 = id(github("/acme/webshop/pull/2", R"({"name":"pulls","pull":"2"})"));
    const auto front = id(github("/acme/webshop", code("main", "")));
    const auto slash_a = id(github("/acme/webshop/tree/feature/a", code("feature", "a")));
    const auto slash_b = id(github("/acme/webshop/tree/feature/b", code("feature", "b")));
    const auto team = id(github("/acme/webshop", code("main", "")).insert(1, R"("tags":["team:core"],)"));
    CHECK(pr1 != pr2);
    CHECK(pr1 != front);
    CHECK(slash_a != slash_b);
    CHECK(team != front);
    CHECK(front == id(github("/acme/webshop", code("main", ""))));
}

TEST_CASE("explain: each fact with where it came from") {
    const auto cfg = config();
    const auto r = resolve_json(
        *cfg, R"({"type":"aws","url":"https://eu-west-1.console.aws.amazon.com/lambda/home#/functions/webshop-prod",)"
              R"("service":{"name":"lambda","resourceName":"webshop-prod"},"tags":["team:payments"]})");
    const auto json = boost::json::serialize(tjc::mapping::to_json(r));
    CHECK(json.find(R"("service":{"value":"webshop","from":"resource name"})") != std::string::npos);
    CHECK(json.find(R"("env":{"value":"prod","from":"resource name"})") != std::string::npos);
    CHECK(json.find(R"("team":{"value":"payments","from":"tag"})") != std::string::npos);
    CHECK(json.find(R"("mappedBy":"service convention")") != std::string::npos);
    CHECK(json.find(R"x("rule":"service convention (/etc/tooljump/circleci.yaml:2:20: gh/acme/{service})")x") !=
          std::string::npos);

    const auto dash = resolve_json(*cfg, R"({"type":"generic","url":"https://grafana.acme.io/d/x/webshop"})");
    const auto dj = boost::json::serialize(tjc::mapping::to_json(dash));
    CHECK(dj.find(R"("service":{"value":"webshop","from":"URL pattern"})") != std::string::npos);
    CHECK(dj.find(R"("ruleName":"grafana dashboards")") != std::string::npos);
}
