// Context + mapping config -> projects, table-driven: rules in order, patterns, regexes,
// service tags, monorepos, excludes, organizations with CircleCI ids, host conventions.
#include "config/config.hpp"
#include "mapping/context.hpp"
#include "mapping/explain.hpp"
#include "mapping/resolve.hpp"

#include <doctest/doctest.h>
#include <boost/json/serialize.hpp>

#include <string>
#include <vector>

using tjc::config::load_config_text;
using tjc::mapping::ContextFacts;

namespace {

const char* kRules = R"(mapping:
  vcs_hosts:
    - {host: github.acme.internal, prefix: gh}
  rules:
    - repo: acme/docs
      exclude: true
    - repo: Acme/WebShop
      project: gh/{org}/{repo}
      token_secret: TOKEN_WEBSHOP
      cards: [status]
    - repo: github.com/acme/legacy
      project: gh/acme/legacy
      branch: release
    - service: checkout
      project: gh/acme/checkout-api
    - repo: acme/platform
      projects:
        - {slug: gh/acme/platform-web, service: web}
        - {slug: gh/acme/platform-api, service: api}
    - repo: acme/mono
      project: gh/acme/mono
      filters:
        workflows: ["build-{service}", "deploy-{service}-{env}"]
        parameters: {service: "{service}"}
    - repo_pattern: "acme/svc-{name}"
      project: gh/acme/{name}-service
    - repo_pattern: "acme/env-{name}"
      project: gh/acme/{name}-{env}
    - repo_pattern: "acme/env-{name}"
      service: fallback
      project: gh/acme/{name}-fallback
    - host: github.com
      repo_pattern: "acme-*/{repo}"
      project: gh/{org}/{repo}
      token_secret: TOKEN_LABS
    - repo_regex: "^mirror-(\\w+)/(.+)$"
      project: bb/{1}/{2}
    - host: gitlab.com
      repo_pattern: "*/*"
      exclude: true
  organizations:
    - host: github.com
      org: appco
      org_id: ORG1
      projects: {Payments: PRJ1}
    - host: github.com
      org: lookco
      org_id: ORG2
      lookup: true
)";

struct ResolveCase {
    std::string name;
    ContextFacts facts;
    std::vector<std::string> slugs;  // expected, in order; empty = nothing maps
    std::string detail;              // a substring of the rule (when mapped) or of the reason
};

using tjc::mapping::FactSource;

ContextFacts gh(std::string repository, std::string service = "", std::string env = "", std::string branch = "") {
    ContextFacts f;
    f.type = "github";
    f.repository = std::move(repository);
    f.service = {std::move(service), FactSource::tag};
    f.env = {std::move(env), FactSource::tag};
    f.branch = branch;
    if (!branch.empty()) {
        f.branch_candidates = {branch};
    }
    return f;
}

// A page of another tool that names only a service.
ContextFacts service_page(std::string type, std::string service) {
    ContextFacts f;
    f.type = std::move(type);
    f.service = {std::move(service), FactSource::tag};
    return f;
}

ContextFacts by_url(std::string url, std::string type = "github") {
    ContextFacts f;
    f.type = std::move(type);
    f.url = std::move(url);
    return f;
}

std::string joined(const std::vector<tjc::mapping::ProjectTarget>& ps) {
    std::string out;
    for (const auto& p : ps) {
        out += (out.empty() ? "" : ",") + p.slug;
    }
    return out;
}

}  // namespace

TEST_CASE("resolve: table") {
    auto loaded = load_config_text(kRules, "rules.yaml");
    REQUIRE_MESSAGE(loaded.config, loaded.diagnostics.to_string());
    const auto& mapping = loaded.config->mapping;

    const ResolveCase cases[] = {
        {"default github convention", gh("octo/hello"), {"gh/octo/hello"}, "default convention"},
        {"default keeps page case", gh("Octo/Hello"), {"gh/Octo/Hello"}, "default convention"},
        {"bitbucket default", by_url("https://bitbucket.org/team/app/src/main"), {"bb/team/app"}, "bitbucket.org"},
        {"ssh url default", by_url("git@github.com:octo/hello.git"), {"gh/octo/hello"}, "github.com"},
        {"configured GHE host",
         by_url("https://github.acme.internal/team/app/pull/3"),
         {"gh/team/app"},
         "github.acme.internal"},
        {"GHE host from url when repository is plain",
         [] {
             auto f = by_url("https://github.acme.internal/team/app");
             f.repository = "team/app";
             return f;
         }(),
         {"gh/team/app"},
         "github.acme.internal"},
        {"unknown host", by_url("https://git.example.org/team/app"), {}, "not a known VCS host"},
        {"no repository at all",
         [] {
             ContextFacts f;
             f.type = "github";
             return f;
         }(),
         {},
         "names no repository"},
        {"bad repository", gh("acme/.."), {}, "'.' or '..'"},
        {"exclude rule", gh("acme/docs"), {}, "excluded by the rule at rules.yaml:5"},
        {"exclude without case", gh("ACME/Docs"), {}, "excluded"},
        {"exact keeps config case", gh("acme/webshop"), {"gh/Acme/WebShop"}, "rules.yaml:7"},
        {"exact from url",
         by_url("https://user:pw@github.com/ACME/WEBSHOP/tree/main"),
         {"gh/Acme/WebShop"},
         "rules.yaml:7"},
        {"exact with host", gh("acme/legacy"), {"gh/acme/legacy"}, "rules.yaml:11"},
        {"exact with other host",
         by_url("https://github.acme.internal/acme/legacy"),
         {"gh/acme/legacy"},
         "default convention"},
        {"service tag only", service_page("datadog", "checkout"), {"gh/acme/checkout-api"}, "rules.yaml:14"},
        {"service tag, case-insensitive", gh("octo/x", "Checkout"), {"gh/acme/checkout-api"}, "rules.yaml:14"},
        {"unknown service, no repo", service_page("datadog", "billing"), {}, "no rule maps service 'billing'"},
        {"monorepo all projects",
         gh("acme/platform"),
         {"gh/acme/platform-web", "gh/acme/platform-api"},
         "rules.yaml:16"},
        {"monorepo service web", gh("acme/platform", "web"), {"gh/acme/platform-web"}, "rules.yaml:16"},
        {"monorepo service api", gh("acme/platform", "API"), {"gh/acme/platform-api"}, "rules.yaml:16"},
        {"monorepo unknown service falls through",
         gh("acme/platform", "db"),
         {"gh/acme/platform"},
         "default convention"},
        {"monorepo filters", gh("acme/mono", "web", "prod"), {"gh/acme/mono"}, "rules.yaml:20"},
        {"pattern capture", gh("acme/svc-billing"), {"gh/acme/billing-service"}, "rules.yaml:25"},
        {"pattern without case", gh("ACME/Svc-Billing"), {"gh/acme/Billing-service"}, "rules.yaml:25"},
        {"pattern needs env, has it", gh("acme/env-shop", "", "prod"), {"gh/acme/shop-prod"}, "rules.yaml:27"},
        {"pattern needs env, lacks it: next rule",
         gh("acme/env-shop", "fallback"),
         {"gh/acme/shop-fallback"},
         "rules.yaml:29"},
        {"env with a slash is refused",
         gh("acme/env-shop", "", "prod/../x"),
         {"gh/acme/env-shop"},
         "default convention"},
        {"org wildcard", gh("acme-labs/robot"), {"gh/acme-labs/robot"}, "rules.yaml:32"},
        {"org wildcard only on its host",
         by_url("https://github.acme.internal/acme-labs/robot"),
         {"gh/acme-labs/robot"},
         "default convention"},
        {"regex captures", gh("mirror-team/app"), {"bb/team/app"}, "rules.yaml:36"},
        {"host-wide exclude", by_url("https://gitlab.com/any/thing"), {}, "excluded by the rule at rules.yaml:38"},
        {"org with project id", gh("appco/payments"), {"circleci/ORG1/PRJ1"}, "rules.yaml:42"},
        {"org without the repo", gh("appco/other"), {}, "lists no project id for 'other'"},
        {"org with lookup", gh("lookco/thing"), {""}, "rules.yaml:46"},
        {"tags service via facts", gh("acme/platform", "web", "prod"), {"gh/acme/platform-web"}, "rules.yaml:16"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto r = tjc::mapping::resolve(mapping, "CIRCLECI_TOKEN", c.facts);
        std::string expected;
        for (const auto& s : c.slugs) {
            expected += (expected.empty() ? "" : ",") + s;
        }
        CHECK(joined(r.projects) == expected);
        if (c.slugs.empty()) {
            CHECK_MESSAGE(r.reason.find(c.detail) != std::string::npos, r.reason);
        } else if (!r.projects.empty()) {
            CHECK_MESSAGE(r.projects.front().rule.find(c.detail) != std::string::npos, r.projects.front().rule);
        }
    }
}

TEST_CASE("resolve: per-rule token secret, cards, branch override and filters") {
    auto loaded = load_config_text(kRules, "rules.yaml");
    REQUIRE(loaded.config);
    const auto& m = loaded.config->mapping;

    auto web = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", gh("acme/webshop", "", "", "main"));
    REQUIRE(web.projects.size() == 1);
    CHECK(web.projects[0].token_secret == "TOKEN_WEBSHOP");
    CHECK(web.projects[0].cards == std::vector<std::string>{"status"});
    CHECK(web.projects[0].branch == "main");

    auto legacy = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", gh("acme/legacy", "", "", "feature-x"));
    REQUIRE(legacy.projects.size() == 1);
    CHECK(legacy.projects[0].branch == "release");
    CHECK(legacy.projects[0].token_secret == "CIRCLECI_TOKEN");

    auto mono = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", gh("acme/mono", "web", "prod"));
    REQUIRE(mono.projects.size() == 1);
    CHECK(mono.projects[0].workflows == std::vector<std::string>{"build-web", "deploy-web-prod"});
    REQUIRE(mono.projects[0].parameters.size() == 1);
    CHECK(mono.projects[0].parameters[0].first == "service");
    CHECK(mono.projects[0].parameters[0].second == "web");

    // Without env, the filter that needs it is left out; the one that does not stays.
    auto mono_noenv = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", gh("acme/mono", "web"));
    REQUIRE(mono_noenv.projects.size() == 1);
    CHECK(mono_noenv.projects[0].workflows == std::vector<std::string>{"build-web"});

    auto look = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", gh("lookco/Thing"));
    REQUIRE(look.projects.size() == 1);
    CHECK(look.projects[0].slug.empty());
    CHECK(look.projects[0].lookup.org_id == "ORG2");
    CHECK(look.projects[0].lookup.repo == "Thing");

    CHECK(m.token_secrets() == std::vector<std::string>{"TOKEN_WEBSHOP", "TOKEN_LABS"});
    CHECK(loaded.config->secret_names() == std::vector<std::string>{"CIRCLECI_TOKEN", "TOKEN_WEBSHOP", "TOKEN_LABS"});
}

TEST_CASE("resolve: service and env from a context's tags and service object") {
    auto loaded = load_config_text(kRules, "rules.yaml");
    REQUIRE(loaded.config);
    auto facts = tjc::mapping::parse_context(
        R"({"type":"github","page":{"repository":"acme/mono"},"tags":["team:x","service:api","env:staging"]})");
    REQUIRE(facts);
    auto r = tjc::mapping::resolve(loaded.config->mapping, "CIRCLECI_TOKEN", facts.value());
    REQUIRE(r.projects.size() == 1);
    CHECK(r.projects[0].workflows == std::vector<std::string>{"build-api", "deploy-api-staging"});

    auto svc = tjc::mapping::parse_context(R"({"type":"datadog","service":{"name":"checkout"},"env":"prod"})");
    REQUIRE(svc);
    auto s = tjc::mapping::resolve(loaded.config->mapping, "CIRCLECI_TOKEN", svc.value());
    REQUIRE(s.projects.size() == 1);
    CHECK(s.projects[0].slug == "gh/acme/checkout-api");
    CHECK(s.projects[0].env == "prod");
}

TEST_CASE("explain: each project with its rule, filters and token secret name, never a token") {
    auto loaded = load_config_text(kRules, "rules.yaml");
    REQUIRE(loaded.config);
    const auto& m = loaded.config->mapping;
    auto r = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", gh("acme/mono", "web", "prod"));
    const auto json = boost::json::serialize(tjc::mapping::to_json(r));
    CHECK(json.find(R"("slug":"gh/acme/mono")") != std::string::npos);
    CHECK(json.find(R"("rule":"rules.yaml:20:7")") != std::string::npos);
    CHECK(json.find(R"("tokenSecret":"CIRCLECI_TOKEN")") != std::string::npos);
    CHECK(json.find(R"("workflows":["build-web","deploy-web-prod"])") != std::string::npos);
    CHECK(json.find(R"("parameters":{"service":"web"})") != std::string::npos);

    auto excluded = tjc::mapping::resolve(m, "CIRCLECI_TOKEN", gh("acme/docs"));
    const auto ex = boost::json::serialize(tjc::mapping::to_json(excluded));
    CHECK(ex.find(R"("excluded":true)") != std::string::npos);
    CHECK(ex.find(R"("projects":[])") != std::string::npos);
}
