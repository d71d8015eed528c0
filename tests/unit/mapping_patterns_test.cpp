// Name patterns (resource names, context names), URL patterns, and the new config keys'
// load checks: each mistake with file:line:column, key and a did-you-mean where one fits.
#include "config/config.hpp"
#include "config/name_pattern.hpp"
#include "config/url_pattern.hpp"

#include <doctest/doctest.h>

#include <string>

using tjc::config::load_config_text;
using tjc::config::NamePattern;
using tjc::config::UrlPattern;

namespace {

std::string capture(const NamePattern::Captures& c, const std::string& name) {
    for (const auto& [k, v] : c) {
        if (k == name) {
            return v;
        }
    }
    return "<none>";
}

}  // namespace

TEST_CASE("name patterns: {env} is one word, captures keep case, literals ignore it") {
    auto p = NamePattern::compile("{service}-{env}", {"service", "env"});
    REQUIRE(p);
    NamePattern::Captures c;
    REQUIRE(p->match("webshop-prod", c));
    CHECK(capture(c, "service") == "webshop");
    CHECK(capture(c, "env") == "prod");
    REQUIRE(p->match("Checkout-API-prod", c));
    CHECK(capture(c, "service") == "Checkout-API");
    CHECK(capture(c, "env") == "prod");
    CHECK_FALSE(p->match("webshop", c));
    CHECK_FALSE(p->match("webshop-", c));

    auto ctx = NamePattern::compile("SVC-{service}-{env}", {"service", "env", "team"});
    REQUIRE(ctx);
    CHECK(ctx->match("svc-webshop-prod", {{"service", "WebShop"}}, c));  // bound: compared without case
    CHECK_FALSE(ctx->match("svc-checkout-prod", {{"service", "webshop"}}, c));
    CHECK_FALSE(ctx->match("svc-webshop-prod", {{"service", "webshop"}, {"env", "staging"}}, c));
    CHECK_FALSE(ctx->match("svc-webshop-eu-prod", {{"service", "webshop"}}, c));  // env "eu-prod" is two words

    CHECK_FALSE(NamePattern::compile("{service}{env}", {}));
    CHECK_FALSE(NamePattern::compile("{a}-{a}", {}));
    CHECK_FALSE(NamePattern::compile("{owner}-x", {"service"}));
    CHECK_FALSE(NamePattern::compile("a}", {}));
    CHECK_FALSE(NamePattern::compile("", {}));

    // Hostile input stays cheap: failed states are remembered.
    auto hostile = NamePattern::compile("*-*-*-*-*-*-{service}-{env}x", {});
    REQUIRE(hostile);
    CHECK_FALSE(hostile->match(std::string(200, '-'), c));
}

TEST_CASE("URL patterns: host and port literal, path with wildcards, query and trailing '/' ignored") {
    auto p = UrlPattern::compile("https://Grafana.acme.io/d/*/{service}");
    REQUIRE(p);
    CHECK(p->host() == "grafana.acme.io");
    NamePattern::Captures c;
    CHECK(p->match("https://grafana.acme.io/d/abc/webshop?orgId=1#panel", c));
    CHECK(capture(c, "service") == "webshop");
    CHECK(p->match("https://GRAFANA.acme.io/d/abc/web%20shop/", c));
    CHECK(capture(c, "service") == "web shop");                              // decoded
    CHECK_FALSE(p->match("http://grafana.acme.io/d/abc/webshop", c));        // scheme
    CHECK_FALSE(p->match("https://grafana.acme.io:8443/d/abc/webshop", c));  // port
    CHECK_FALSE(p->match("https://grafana.acme.io/d/abc/x/webshop", c));     // '*' never crosses '/'
    CHECK_FALSE(p->match("https://evil.io/?u=https://grafana.acme.io/d/abc/webshop", c));

    auto ported = UrlPattern::compile("http://dash.acme.io:3000/{env}/{service}");
    REQUIRE(ported);
    CHECK(ported->match("http://dash.acme.io:3000/prod/webshop", c));

    CHECK_FALSE(UrlPattern::compile("grafana.acme.io/d/{service}"));
    CHECK_FALSE(UrlPattern::compile("ftp://grafana.acme.io/{service}"));
    CHECK_FALSE(UrlPattern::compile("https://*.acme.io/{service}"));
    CHECK_FALSE(UrlPattern::compile("https://grafana.acme.io/d?x={service}"));
    CHECK_FALSE(UrlPattern::compile("https://grafana.acme.io:http/x"));
}

TEST_CASE("new config keys: every mistake with file:line:column and key") {
    struct Bad {
        const char* name;
        std::string yaml;
        std::string expected;
    };
    const Bad cases[] = {
        {"misspelt convention key", "mapping:\n  service_projects: gh/acme/{service}\n",
         "t.yaml:2:3: error: mapping.service_projects: unknown key 'service_projects' (did you mean "
         "'service_project'?)"},
        {"service_project without {service}", "mapping:\n  service_project: gh/acme/all\n",
         "t.yaml:2:20: error: mapping.service_project: 'gh/acme/all' has no {service}"},
        {"service_project not a slug", "mapping:\n  service_project: gh/{service}\n", "is not a project slug"},
        {"service_project unknown placeholder", "mapping:\n  service_project: gh/acme/{repo}\n",
         "placeholder '{repo}' does not exist here (known: {env}, {service}, {team})"},
        {"default_vcs_host", "mapping:\n  default_vcs_host: \"git hub\"\n",
         "t.yaml:2:21: error: mapping.default_vcs_host: 'git hub' is not a host name"},
        {"resource_names not a list", "mapping:\n  resource_names: \"{service}\"\n",
         "t.yaml:2:19: error: mapping.resource_names: expected a list"},
        {"resource name without {service}", "mapping:\n  resource_names: [\"{env}-x\"]\n",
         "t.yaml:2:20: error: mapping.resource_names[0]: '{env}-x' has no {service}"},
        {"resource name placeholder", "mapping:\n  resource_names: [\"{service}-{team}\"]\n",
         "mapping.resource_names[0]: '{service}-{team}': placeholder '{team}' does not exist here"},
        {"url_pattern without scheme",
         "mapping:\n  rules:\n    - url_pattern: grafana.acme.io/d/{service}\n      project: gh/acme/{service}\n",
         "t.yaml:3:20: error: mapping.rules[0].url_pattern: 'grafana.acme.io/d/{service}': a URL pattern starts with"},
        {"url_pattern wildcard host",
         "mapping:\n  rules:\n    - url_pattern: \"https://*.acme.io/{service}\"\n      project: gh/acme/{service}\n",
         "wildcards and captures go in the path"},
        {"url_pattern capture not in scope",
         "mapping:\n  rules:\n    - url_pattern: \"https://g.acme.io/d/{dash}\"\n      project: gh/acme/{board}\n",
         "placeholder '{board}' does not exist here"},
        {"rule team", "mapping:\n  rules:\n    - repo: a/b\n      project: gh/a/b\n      team: \"x y\"\n",
         "t.yaml:5:13: error: mapping.rules[0].team: 'x y' is not a team name"},
        {"link without url", "links:\n  - name: Runbook\n", "t.yaml:2:5: error: links[0].url: a link needs a url"},
        {"link misspelt key", "links:\n  - {name: Runbook, ulr: \"https://x.io\"}\n",
         "links[0].ulr: unknown key 'ulr' (did you mean 'url'?)"},
        {"link placeholder", "links:\n  - {name: Runbook, url: \"https://x.io/{repository}\"}\n",
         "links[0].url: placeholder '{repository}' does not exist here"},
        {"link scheme", "links:\n  - {name: Runbook, url: \"javascript:alert(1)\"}\n",
         "must start with https:// or http://"},
        {"link icon", "links:\n  - {name: R, url: \"https://x.io\", icon: \"<b>\"}\n",
         "links[0].icon: '<b>' is not an icon name"},
        {"rule link placeholder",
         "mapping:\n  rules:\n    - repo: a/b\n      project: gh/a/b\n      links:\n        - {name: R, url: "
         "\"https://x.io/{host}\"}\n",
         "mapping.rules[0].links[0].url: placeholder '{host}' does not exist here"},
        {"exclude with links",
         "mapping:\n  rules:\n    - repo: a/b\n      exclude: true\n      links:\n        - {name: R, url: "
         "\"https://x.io\"}\n",
         "an exclude rule shows nothing"},
        {"context_pattern", "cards:\n  context_pattern: \"svc-{env}\"\n",
         "t.yaml:2:20: error: cards.context_pattern: 'svc-{env}': has neither {service} nor {team}"},
        {"context_pattern placeholder", "cards:\n  context_pattern: \"svc-{repo}\"\n",
         "cards.context_pattern: 'svc-{repo}': placeholder '{repo}' does not exist here"},
        {"unknown card", "cards:\n  enabled: [status, context]\n",
         "unknown card 'context' (cards: status, commit, pipelines, "
         "insights, deploys, approval, contexts, links)"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto r = load_config_text(c.yaml, "t.yaml");
        CHECK(r.config == nullptr);
        CHECK_MESSAGE(r.diagnostics.to_string().find(c.expected) != std::string::npos, r.diagnostics.to_string());
    }
}

TEST_CASE("new config keys: the defaults, and a good config loads") {
    const auto defaults = load_config_text("", "t.yaml");
    REQUIRE(defaults.config);
    const auto& m = defaults.config->mapping;
    CHECK(m.default_vcs_host == "github.com");
    CHECK_FALSE(m.has_service_project);
    CHECK(m.resource_names.empty());
    CHECK(m.links.empty());
    CHECK(defaults.config->cards.context_pattern == "svc-{service}-{env}");
    CHECK(defaults.config->custom_domains().empty());

    const auto good = load_config_text(
        "mapping:\n  default_vcs_host: Bitbucket.org\n  service_project: \"bb/acme/{service}\"\n"
        "  resource_names: [\"{service}-{env}\", \"{service}\"]\n"
        "  rules:\n    - url_pattern: \"https://grafana.acme.io/d/*/{service}\"\n      project: gh/acme/{service}\n"
        "    - url_pattern: \"https://GRAFANA.acme.io/explore/{service}\"\n      project: gh/acme/{service}\n"
        "    - url_pattern: \"https://kibana.acme.io:5601/app/{service}\"\n      project: gh/acme/{service}\n"
        "links:\n  - {name: Runbook, url: \"https://runbooks.acme.io/{service}\", icon: book}\n"
        "cards:\n  context_pattern: \"team-{team}\"\n",
        "t.yaml");
    REQUIRE_MESSAGE(good.config, good.diagnostics.to_string());
    CHECK(good.config->mapping.default_vcs_host == "bitbucket.org");
    CHECK(good.config->mapping.resource_names.size() == 2);
    CHECK(good.config->custom_domains() == std::vector<std::string>{"grafana.acme.io", "kibana.acme.io"});
}
