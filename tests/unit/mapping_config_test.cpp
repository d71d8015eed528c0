// The mapping section at load: every mistake reported at once with file:line:column, and
// the documented example config loads and means what its comments say.
#include "config/config.hpp"
#include "mapping/resolve.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using tjc::config::Diagnostic;
using tjc::config::load_config_file;
using tjc::config::load_config_text;

namespace {

struct BadCase {
    std::string name;
    std::string yaml;
    std::string expected;  // a substring of the diagnostics, with its position
    bool error = true;     // false: a warning, and the config still loads
};

bool has(const tjc::config::Diagnostics& d, const std::string& text) {
    return d.to_string().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("mapping config: mistakes are diagnosed with file:line:column") {
    const BadCase cases[] = {
        {"unknown key with suggestion", "mapping:\n  rules:\n    - repo: a/b\n      projet: gh/a/b\n",
         "t.yaml:4:7: error: mapping.rules[0].projet: unknown key 'projet' (did you mean 'project'?)"},
        {"unknown mapping key", "mapping:\n  rule: []\n", "t.yaml:2:3: error: mapping.rule: unknown key"},
        {"wrong type", "mapping:\n  rules:\n    - repo: [a, b]\n      project: gh/a/b\n",
         "t.yaml:3:13: error: mapping.rules[0].repo: expected a string"},
        {"rules not a list", "mapping:\n  rules: {a: 1}\n", "t.yaml:2:10: error: mapping.rules: expected a list"},
        {"bad regex", "mapping:\n  rules:\n    - repo_regex: \"(unclosed\"\n      project: gh/a/b\n",
         "t.yaml:3:19: error: mapping.rules[0].repo_regex: invalid regular expression"},
        {"bad pattern", "mapping:\n  rules:\n    - repo_pattern: \"a/{x\"\n      project: gh/a/b\n",
         "t.yaml:3:21: error: mapping.rules[0].repo_pattern: 'a/{x': unclosed '{'"},
        {"ambiguous pattern", "mapping:\n  rules:\n    - repo_pattern: \"a/{x}{y}\"\n      project: gh/a/{x}\n",
         "ambiguous"},
        {"unknown placeholder", "mapping:\n  rules:\n    - repo: a/b\n      project: gh/a/{owner}\n",
         "t.yaml:4:16: error: mapping.rules[0].project: placeholder '{owner}' does not exist here"},
        {"regex group out of range", "mapping:\n  rules:\n    - repo_regex: \"^a/(.+)$\"\n      project: gh/a/{2}\n",
         "placeholder '{2}' does not exist"},
        {"capture name from another rule",
         "mapping:\n  rules:\n    - repo_pattern: \"a/{x}\"\n      project: gh/a/{x}\n    - repo: a/b\n      project: "
         "gh/a/{x}\n",
         "t.yaml:6:16: error: mapping.rules[1].project: placeholder '{x}'"},
        {"placeholder in a filter",
         "mapping:\n  rules:\n    - repo: a/b\n      project: gh/a/b\n      filters:\n        workflows: "
         "[\"build-{svc}\"]\n",
         "t.yaml:6:21: error: mapping.rules[0].filters.workflows[0]: placeholder '{svc}'"},
        {"not a slug", "mapping:\n  rules:\n    - repo: a/b\n      project: gh/a\n", "is not a project slug"},
        {"unknown vcs prefix", "mapping:\n  rules:\n    - repo: a/b\n      project: gl/a/b\n",
         "unknown VCS prefix 'gl'"},
        {"no matcher", "mapping:\n  rules:\n    - project: gh/a/b\n",
         "t.yaml:3:7: error: mapping.rules[0]: a rule needs repo"},
        {"no project", "mapping:\n  rules:\n    - repo: a/b\n", "a rule needs 'project' or 'projects'"},
        {"exclude with project", "mapping:\n  rules:\n    - repo: a/b\n      exclude: true\n      project: gh/a/b\n",
         "an exclude rule shows nothing"},
        {"two matchers", "mapping:\n  rules:\n    - repo: a/b\n      repo_regex: x\n      project: gh/a/b\n",
         "use one of"},
        {"bad repo", "mapping:\n  rules:\n    - repo: a/b/c/d\n      project: gh/a/b\n", "is not <org>/<repo>"},
        {"unknown card", "mapping:\n  rules:\n    - repo: a/b\n      project: gh/a/b\n      cards: [status, charts]\n",
         "t.yaml:5:23: error: mapping.rules[0].cards[1]: unknown card 'charts'"},
        {"bad secret name", "mapping:\n  rules:\n    - repo: a/b\n      project: gh/a/b\n      token_secret: \"a b\"\n",
         "is not a secret name"},
        {"duplicate rule",
         "mapping:\n  rules:\n    - repo: A/B\n      project: gh/a/b\n    - repo: a/b\n      project: gh/a/c\n",
         "t.yaml:5:7: error: mapping.rules[1]: duplicate: matches exactly what the rule at line 3"},
        {"duplicate organization",
         "mapping:\n  organizations:\n    - {org: x, org_id: i1}\n    - {org: X, org_id: i2}\n",
         "duplicate of the organization at line 3"},
        {"org without id", "mapping:\n  organizations:\n    - org: x\n", "needs the CircleCI organization id"},
        {"lookup without a prefix",
         "mapping:\n  organizations:\n    - {host: gitlab.com, org: x, org_id: i, lookup: true}\n",
         "t.yaml:3:53: error: mapping.organizations[0].lookup: asking CircleCI needs"},
        {"bad vcs host", "mapping:\n  vcs_hosts:\n    - {host: \"git hub\", prefix: gh}\n", "needs a host name"},
        {"shadowed by pattern",
         "mapping:\n  rules:\n    - repo_pattern: \"acme/{r}\"\n      project: gh/acme/{r}\n    - repo: acme/web\n     "
         " project: gh/acme/web2\n",
         "t.yaml:5:7: warning: mapping.rules[1]: unreachable: the earlier rule at line 3", false},
        {"shadowed by exact",
         "mapping:\n  rules:\n    - repo: acme/web\n      project: gh/acme/web\n    - repo: acme/web\n      service: "
         "x\n      project: gh/acme/web2\n",
         "warning: mapping.rules[1]: unreachable", false},
        {"shadowed by regex",
         "mapping:\n  rules:\n    - repo_regex: \"^acme/.*\"\n      project: gh/acme/x\n    - repo: ACME/web\n      "
         "project: gh/acme/web\n",
         "warning: mapping.rules[1]: unreachable", false},
        {"shadowed by exclude",
         "mapping:\n  rules:\n    - service: web\n      exclude: true\n    - repo: a/b\n      service: web\n      "
         "project: gh/a/b\n",
         "warning: mapping.rules[1]: unreachable", false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto r = load_config_text(c.yaml, "t.yaml");
        CHECK_MESSAGE(has(r.diagnostics, c.expected), r.diagnostics.to_string());
        CHECK(r.diagnostics.has_errors() == c.error);
        CHECK((r.config == nullptr) == c.error);
    }
}

TEST_CASE("mapping config: a rule that may not map does not shadow the next") {
    // The first needs {env}, which a context may lack; the second is its fallback.
    const auto r = load_config_text(
        "mapping:\n  rules:\n    - repo: a/b\n      project: gh/a/b-{env}\n    - repo: a/b\n      service: s\n      "
        "project: gh/a/b\n",
        "t.yaml");
    CHECK(r.diagnostics.all().empty());
}

TEST_CASE("mapping config: all mistakes at once") {
    const auto r = load_config_text(
        "mapping:\n  rules:\n    - repo_regex: \"[\"\n      project: gh/a/b\n    - repo: a/b\n      project: "
        "gh/{nope}/b\n"
        "    - repo: c/d\n      projet: gh/c/d\n",
        "t.yaml");
    REQUIRE(r.diagnostics.has_errors());
    CHECK(has(r.diagnostics, "t.yaml:3:19"));
    CHECK(has(r.diagnostics, "t.yaml:6:16"));
    CHECK(has(r.diagnostics, "t.yaml:8:7"));
}

TEST_CASE("mapping config: the documented example loads and means what it says") {
    const std::string path = TJC_SOURCE_DIR "/config/mapping.example.yaml";
    const auto r = load_config_file(path);
    REQUIRE_MESSAGE(r.config, r.diagnostics.to_string());
    CHECK(r.diagnostics.all().empty());
    const auto& m = r.config->mapping;
    CHECK(m.rules.size() == 10);
    CHECK(m.organizations.size() == 2);

    const auto facts = [](std::string repo, std::string service = "", std::string env = "") {
        tjc::mapping::ContextFacts f;
        f.type = "github";
        f.repository = std::move(repo);
        f.service = {std::move(service), tjc::mapping::FactSource::tag};
        f.env = {std::move(env), tjc::mapping::FactSource::tag};
        return f;
    };
    const auto slugs = [&](const tjc::mapping::ContextFacts& f) {
        std::string out;
        for (const auto& p : tjc::mapping::resolve(m, "CIRCLECI_TOKEN", f).projects) {
            out += (out.empty() ? "" : ",") + (p.slug.empty() ? "lookup:" + p.lookup.org_id : p.slug);
        }
        return out;
    };
    CHECK(slugs(facts("acme/docs-site")).empty());
    CHECK(slugs(facts("ACME/webshop")) == "gh/Acme/WebShop");
    CHECK(tjc::mapping::resolve(m, "CIRCLECI_TOKEN", facts("acme/webshop")).projects[0].token_secret ==
          "CIRCLECI_TOKEN_WEBSHOP");
    CHECK(tjc::mapping::resolve(m, "CIRCLECI_TOKEN", facts("acme/legacy")).projects[0].branch == "release");
    CHECK(slugs(facts("someone/else", "checkout")) == "gh/acme/checkout-api");
    CHECK(slugs(facts("acme/platform")) == "gh/acme/platform-web,gh/acme/platform-api");
    CHECK(slugs(facts("acme/platform", "api")) == "gh/acme/platform-api");
    const auto api = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", facts("acme/platform", "api", "prod"));
    CHECK(api.projects[0].workflows == std::vector<std::string>{"api-prod"});
    const auto mono = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", facts("acme/monorepo", "webshop", "prod"));
    CHECK(mono.projects[0].workflows == std::vector<std::string>{"build-webshop", "deploy-webshop-prod"});
    CHECK(mono.projects[0].parameters.size() == 2);
    CHECK(slugs(facts("acme/svc-billing")) == "gh/acme/billing-service");
    CHECK(slugs(facts("acme-labs/robot")) == "gh/acme-labs/robot");
    tjc::mapping::ContextFacts bb;
    bb.type = "bitbucket";
    bb.url = "https://bitbucket.org/acme-mirror/tools-mirror";
    CHECK(slugs(bb) == "bb/acme/tools");
    tjc::mapping::ContextFacts gl;
    gl.type = "gitlab";
    gl.url = "https://gitlab.com/acme-gl/storefront/-/pipelines";
    CHECK(slugs(gl) == "circleci/43G3kM5RtfFE7v5sa4nWAU/44n9pujWcTnVZ2b5S8Fnat");
    gl.url = "git@gitlab.com:acme-gl/unlisted.git";
    CHECK(slugs(gl).empty());
    CHECK(tjc::mapping::resolve(m, "CIRCLECI_TOKEN", gl).reason.find("lists no project id for 'unlisted'") !=
          std::string::npos);
    CHECK(slugs(facts("acmeapp/payments")) == "circleci/5d4e2b1c9a/7f3a9c2e1b");
    CHECK(slugs(facts("AcmeApp/Unlisted")) == "lookup:5d4e2b1c9a");
    CHECK(tjc::mapping::resolve(m, "CIRCLECI_TOKEN", facts("AcmeApp/Unlisted")).projects[0].lookup.name_slug ==
          "gh/AcmeApp/Unlisted");
    tjc::mapping::ContextFacts ghe;
    ghe.type = "github";
    ghe.url = "https://github.acme.internal/team/app";
    CHECK(slugs(ghe) == "gh/team/app");
    CHECK(r.config->secret_names() == std::vector<std::string>{"CIRCLECI_TOKEN", "CIRCLECI_TOKEN_WEBSHOP",
                                                               "CIRCLECI_TOKEN_LABS", "CIRCLECI_TOKEN_GITLAB"});

    // Issue 14: an AWS page through resource_names and the service convention, a dashboard
    // through url_pattern (its team and links), a repository named only by a tag.
    auto lambda = tjc::mapping::parse_context(
        R"({"type":"aws","url":"https://eu-west-1.console.aws.amazon.com/lambda/home#/functions/orders-prod",)"
        R"("service":{"name":"lambda","resourceName":"orders-prod"},"tags":["team:fulfilment"]})");
    REQUIRE(lambda);
    const auto orders = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", lambda.value());
    REQUIRE(orders.projects.size() == 1);
    CHECK(orders.projects[0].slug == "gh/acme/orders");
    CHECK(orders.projects[0].env == "prod");
    CHECK(orders.projects[0].mapped_by == tjc::mapping::MappedBy::service_convention);
    // {branch} has no value off a repository page: that link is left out.
    REQUIRE(orders.projects[0].links.size() == 2);
    CHECK(orders.projects[0].links[0].url == "https://runbooks.acme.io/orders");
    CHECK(orders.projects[0].links[1].url == "https://acme.pagerduty.com/teams/fulfilment/incidents");
    auto dash = tjc::mapping::parse_context(R"({"type":"generic","url":"https://grafana.acme.io/d/k3/webshop"})");
    REQUIRE(dash);
    const auto webshop = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", dash.value());
    REQUIRE(webshop.projects.size() == 1);
    CHECK(webshop.projects[0].slug == "gh/acme/webshop");
    CHECK(webshop.projects[0].team == "storefront");
    REQUIRE_FALSE(webshop.projects[0].links.empty());
    CHECK(webshop.projects[0].links[0].name == "Runbook");  // no env: the rule's own link is left out
    auto dash_prod = tjc::mapping::parse_context(
        R"({"type":"generic","url":"https://grafana.acme.io/d/k3/webshop","tags":["env:prod"]})");
    REQUIRE(dash_prod);
    const auto prod = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", dash_prod.value());
    REQUIRE_FALSE(prod.projects[0].links.empty());
    CHECK(prod.projects[0].links[0].name == "Service dashboard");  // the rule's own first
    CHECK(prod.projects[0].links[0].url == "https://grafana.acme.io/d/svc/webshop?var-env=prod");
    CHECK(r.config->custom_domains() == std::vector<std::string>{"grafana.acme.io"});
    auto tagged = tjc::mapping::parse_context(R"({"type":"generic","url":"https://x.io","repository":"acme/billing"})");
    REQUIRE(tagged);
    CHECK(slugs(tagged.value()) == "gh/acme/billing");
}

TEST_CASE("mapping config: 2,000 rules load (timing is reported, not asserted)") {
    std::string yaml = "mapping:\n  rules:\n";
    for (int i = 0; i < 2000; ++i) {
        const auto n = std::to_string(i);
        if (i % 50 == 0) {
            yaml += "    - repo_pattern: \"org" + n + "/{name}-svc\"\n      project: gh/org" + n + "/{name}\n";
        } else {
            yaml += "    - repo: org" + n + "/repo" + n + "\n      project: gh/org" + n + "/repo" + n +
                    "\n      token_secret: TOKEN_" + n + "\n";
        }
    }
    const auto start = std::chrono::steady_clock::now();
    const auto r = load_config_text(yaml, "big.yaml");
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    MESSAGE("2000 rules loaded in " << ms << " ms");
    REQUIRE_MESSAGE(r.config, r.diagnostics.to_string());
    CHECK(r.config->mapping.rules.size() == 2000);
    tjc::mapping::ContextFacts f;
    f.type = "github";
    f.repository = "org1999/repo1999";
    const auto res = tjc::mapping::resolve(r.config->mapping, "CIRCLECI_TOKEN", f);
    REQUIRE(res.projects.size() == 1);
    CHECK(res.projects[0].token_secret == "TOKEN_1999");
}

TEST_CASE("repo patterns: captures, case, and hostile input without exponential backtracking") {
    using tjc::config::RepoPattern;
    auto p = RepoPattern::compile("Acme-*/{name}-svc");
    REQUIRE(p);
    RepoPattern::Captures caps;
    REQUIRE(p->match("acme-labs/Billing-Core-svc", caps));
    REQUIRE(caps.size() == 1);
    CHECK(caps[0].second == "Billing-Core");     // keeps the input's case
    CHECK_FALSE(p->match("acme-/x-svc", caps));  // '*' needs a character
    CHECK_FALSE(p->match("acme-labs/x/y-svc", caps));
    CHECK_FALSE(RepoPattern::compile("a/**"));
    CHECK_FALSE(RepoPattern::compile("{a}{b}/c"));
    CHECK_FALSE(RepoPattern::compile("a/{x}-{x}"));
    CHECK_FALSE(RepoPattern::compile("a/b/c"));

    // Exponential without memoization: C(100, 8) ways to place the wildcards, none matching.
    auto hostile = RepoPattern::compile("*-*-*-*-*-*-{a}-{b}/{c}");
    REQUIRE(hostile);
    CHECK_FALSE(hostile->match(std::string(100, '-') + "/", caps));
    CHECK(hostile->match(std::string(100, '-') + "/x", caps));
}
