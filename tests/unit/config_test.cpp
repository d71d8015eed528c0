// The plugin's config (plugin/src/config): the documented example loads, defaults, and every
// kind of mistake is an error pinned to file:line:column and a key path.
#include <doctest/doctest.h>

#include "config/config.hpp"
#include "text.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

using tjc::config::Diagnostic;
using tjc::config::load_config_file;
using tjc::config::load_config_text;

using tjtest::contains;

namespace {

// The single error a config text produces (REQUIREs exactly one).
Diagnostic only_error(const std::string& yaml) {
    const auto r = load_config_text(yaml);
    CAPTURE(yaml);
    CAPTURE(r.diagnostics.to_string());
    CHECK(r.config == nullptr);
    REQUIRE(r.diagnostics.all().size() == 1);
    REQUIRE(r.diagnostics.all()[0].severity == Diagnostic::Severity::error);
    return r.diagnostics.all()[0];
}

std::string temp_file(const std::string& name, const std::string& content) {
    const auto path = "/tmp/tjc_config_test_" + std::to_string(getpid()) + "_" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

}  // namespace

TEST_CASE("config/circleci.example.yaml loads without errors or warnings") {
    const auto r = load_config_file(TJC_SOURCE_DIR "/config/circleci.example.yaml");
    INFO(r.diagnostics.to_string());
    REQUIRE(r.config != nullptr);
    CHECK(r.diagnostics.all().empty());
    CHECK(r.config->source == TJC_SOURCE_DIR "/config/circleci.example.yaml");
    // The example documents the defaults.
    CHECK(r.config->circleci.api_url == "https://circleci.com/api/v2");
    CHECK(r.config->circleci.app_url == "https://app.circleci.com");
    CHECK(r.config->circleci.token_secret == "CIRCLECI_TOKEN");
    CHECK(r.config->limits.max_queued_queries == 4096);
    CHECK(r.config->cards.context_pattern == "svc-{service}-{env}");
    CHECK(r.config->cards.enabled == std::vector<std::string>{"status", "commit", "pipelines", "insights", "deploys",
                                                              "approval", "contexts", "links"});
    CHECK(r.config->mapping.links.empty());
}

TEST_CASE("an empty config gives the documented defaults") {
    for (const char* text : {"", "# nothing but a comment\n", "circleci:\ntimeouts:\n"}) {
        CAPTURE(text);
        const auto r = load_config_text(text);
        INFO(r.diagnostics.to_string());
        REQUIRE(r.config != nullptr);
        const auto& c = *r.config;
        CHECK(c.source == "<inline>");
        CHECK(c.circleci.api_url == "https://circleci.com/api/v2");
        CHECK(c.circleci.app_url == "https://app.circleci.com");
        CHECK(c.circleci.token_secret == "CIRCLECI_TOKEN");
        CHECK(c.tls.ca_file.empty());
        CHECK(c.timeouts.connect_ms == 1500);
        CHECK(c.timeouts.tls_handshake_ms == 1500);
        CHECK(c.timeouts.request_ms == 3000);
        CHECK(c.timeouts.query_ms == 4000);
        CHECK(c.http.max_connections_per_host == 16);
        CHECK(c.http.prewarm);
        CHECK(c.http.max_response_bytes == 4u << 20);
        CHECK(c.http.max_retries == 2);
        CHECK(c.proxy.url.empty());
        CHECK(c.limits.max_queued_queries == 4096);
        CHECK(c.secret_names() == std::vector<std::string>{"CIRCLECI_TOKEN"});
    }
}

TEST_CASE("values are read, and base URLs lose their trailing slash") {
    const auto r = load_config_text(
        "circleci:\n"
        "  api_url: https://circleci.internal.example.com/api/v2/\n"
        "  app_url: http://circleci.internal.example.com//\n"
        "  token_secret: TEAM_TOKEN\n"
        "timeouts:\n"
        "  query_ms: 2500\n"
        "http:\n"
        "  max_retries: 0\n"
        "proxy:\n"
        "  url: http://proxy.example.com:3128\n");
    INFO(r.diagnostics.to_string());
    REQUIRE(r.config != nullptr);
    CHECK(r.config->circleci.api_url == "https://circleci.internal.example.com/api/v2");
    CHECK(r.config->circleci.app_url == "http://circleci.internal.example.com");
    CHECK(r.config->timeouts.query_ms == 2500);
    CHECK(r.config->http.max_retries == 0);
    CHECK(r.config->proxy.url == "http://proxy.example.com:3128");
    CHECK(r.config->secret_names().at(0) == "TEAM_TOKEN");
}

TEST_CASE("an unknown key is an error with its line, column and a did-you-mean") {
    struct Case {
        const char* yaml;
        int line, column;
        const char* key;
        const char* suggestion;  // "" = none expected
    };
    const Case cases[] = {
        {"circleci:\n  api_ulr: https://circleci.com/api/v2\n", 2, 3, "circleci.api_ulr", "api_url"},
        {"timeout:\n  query_ms: 100\n", 1, 1, "timeout", "timeouts"},
        {"timeouts:\n  query_ms: 100\n  conect_ms: 100\n", 3, 3, "timeouts.conect_ms", "connect_ms"},
        {"tls:\n  cafile: x\n", 2, 3, "tls.cafile", "ca_file"},
        {"http:\n    max_retrys: 1\n", 2, 5, "http.max_retrys", "max_retries"},
        {"circleci:\n  favourite_colour: blue\n", 2, 3, "circleci.favourite_colour", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.yaml));
        const auto d = only_error(c.yaml);
        CAPTURE(d.to_string());
        CHECK(d.line == c.line);
        CHECK(d.column == c.column);
        CHECK(d.key == c.key);
        CHECK(contains(d.message, "unknown key"));
        if (*c.suggestion) {
            CHECK(contains(d.message, std::string("did you mean '") + c.suggestion + "'"));
        } else {
            CHECK_FALSE(contains(d.message, "did you mean"));
        }
    }
    const auto d = only_error("circleci:\n  api_ulr: https://circleci.com/api/v2\n");
    CHECK(d.to_string() == "<inline>:2:3: error: circleci.api_ulr: unknown key 'api_ulr' (did you mean 'api_url'?)");
}

TEST_CASE("wrong types are errors at the value") {
    struct Case {
        const char* yaml;
        int line, column;
        const char* key;
        const char* expect;
    };
    const Case cases[] = {
        {"timeouts:\n  query_ms: soon\n", 2, 13, "timeouts.query_ms", "expected an integer, found 'soon'"},
        {"timeouts:\n  query_ms: 1.5\n", 2, 13, "timeouts.query_ms", "expected an integer"},
        {"timeouts:\n  query_ms: [1, 2]\n", 2, 13, "timeouts.query_ms", "expected an integer, found a list"},
        {"circleci: https://circleci.com\n", 1, 11, "circleci", "expected a mapping, found a scalar"},
        {"timeouts: [1]\n", 1, 11, "timeouts", "expected a mapping, found a list"},
        {"circleci:\n  api_url: {a: b}\n", 2, 12, "circleci.api_url", "expected a string, found a mapping"},
        {"tls:\n  ca_file: [a]\n", 2, 12, "tls.ca_file", "expected a string"},
        {"http:\n  max_response_bytes: lots\n", 2, 23, "http.max_response_bytes", "expected an integer"},
        {"- just\n- a list\n", 1, 1, "<root>", "expected a mapping"},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.yaml));
        const auto d = only_error(c.yaml);
        CAPTURE(d.to_string());
        CHECK(d.line == c.line);
        CHECK(d.column == c.column);
        CHECK(d.key == c.key);
        CHECK(contains(d.message, c.expect));
    }
}

TEST_CASE("out-of-range values name the range") {
    struct Case {
        const char* yaml;
        const char* key;
        const char* expect;
    };
    const Case cases[] = {
        {"timeouts:\n  query_ms: -5\n", "timeouts.query_ms", "value -5 is out of range [1, 120000]"},
        {"timeouts:\n  query_ms: 0\n", "timeouts.query_ms", "out of range"},
        {"timeouts:\n  query_ms: 120001\n", "timeouts.query_ms", "out of range"},
        {"timeouts:\n  connect_ms: 60001\n", "timeouts.connect_ms", "[1, 60000]"},
        {"timeouts:\n  request_ms: 99999999999999999999\n", "timeouts.request_ms", "expected an integer"},
        {"http:\n  max_connections_per_host: 65\n", "http.max_connections_per_host", "[1, 64]"},
        {"http:\n  max_retries: 11\n", "http.max_retries", "[0, 10]"},
        {"http:\n  max_response_bytes: 1023\n", "http.max_response_bytes", "out of range"},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.yaml));
        const auto d = only_error(c.yaml);
        CAPTURE(d.to_string());
        CHECK(d.line == 2);
        CHECK(d.key == c.key);
        CHECK(contains(d.message, c.expect));
    }
}

TEST_CASE("invalid YAML is an error at its position") {
    const auto d = only_error("circleci:\n  api_url: [unclosed\ntimeouts:\n  query_ms: 1\n");
    CHECK(contains(d.message, "invalid YAML"));
    CHECK(d.line >= 2);
    CHECK(d.column > 0);
    const auto tab = only_error("circleci:\n\tapi_url: x\n");
    CHECK(contains(tab.message, "invalid YAML"));
    CHECK(tab.line > 0);
}

TEST_CASE("api_url must be https, app_url may be http, both must be base URLs") {
    struct Case {
        const char* yaml;
        const char* key;
        const char* expect;
    };
    const Case cases[] = {
        {"circleci:\n  api_url: http://circleci.com/api/v2\n", "circleci.api_url", "must use https"},
        {"circleci:\n  api_url: ftp://circleci.com/api/v2\n", "circleci.api_url", "must use https"},
        {"circleci:\n  api_url: circleci.com/api/v2\n", "circleci.api_url", "not an absolute URL"},
        {"circleci:\n  api_url: https://circleci.com/api/v2?x=1\n", "circleci.api_url", "query or fragment"},
        {"circleci:\n  api_url: https://user:pw@circleci.com/api/v2\n", "circleci.api_url", "credentials"},
        {"circleci:\n  app_url: ftp://app.circleci.com\n", "circleci.app_url", "must use https or http"},
        {"circleci:\n  app_url: https://app.circleci.com/?x=1\n", "circleci.app_url", "query or fragment"},
        {"circleci:\n  app_url: https://app.circleci.com/#x\n", "circleci.app_url", "not an absolute URL"},
        {"circleci:\n  token_secret: circleci-token\n", "circleci.token_secret", "upper-case"},
        {"proxy:\n  url: not a url\n", "proxy.url", "not a proxy URL"},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.yaml));
        const auto d = only_error(c.yaml);
        CAPTURE(d.to_string());
        CHECK(d.line == 2);
        CHECK(d.key == c.key);
        CHECK(contains(d.message, c.expect));
    }
    const auto ok = load_config_text("circleci:\n  app_url: http://circleci.local:8080\n");
    CHECK(ok.config != nullptr);
}

TEST_CASE("tls.ca_file must be readable at load time") {
    const auto d = only_error("tls:\n  ca_file: /nonexistent/private-ca.pem\n");
    CHECK(d.key == "tls.ca_file");
    CHECK(d.line == 2);
    CHECK(d.column == 12);
    CHECK(contains(d.message, "/nonexistent/private-ca.pem"));

    // A directory is not a CA file, though it opens as a stream.
    const auto dir = only_error("tls:\n  ca_file: /tmp\n");
    CHECK(dir.key == "tls.ca_file");
    CHECK(contains(dir.message, "'/tmp'"));

    const auto pem = temp_file("ca.pem", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    const auto r = load_config_text("tls:\n  ca_file: " + pem + "\n");
    std::remove(pem.c_str());
    INFO(r.diagnostics.to_string());
    REQUIRE(r.config != nullptr);
    CHECK(r.config->tls.ca_file == pem);
}

TEST_CASE("every error is reported, not only the first") {
    const auto r = load_config_text(
        "circleci:\n"
        "  api_url: http://x.example.com\n"
        "timeouts:\n"
        "  query_ms: -1\n"
        "  conect_ms: 5\n");
    REQUIRE(r.config == nullptr);
    CHECK(r.diagnostics.all().size() == 3);
    const auto text = r.diagnostics.to_string();
    CHECK(contains(text, "<inline>:2:12: error: circleci.api_url"));
    CHECK(contains(text, "<inline>:4:13: error: timeouts.query_ms"));
    CHECK(contains(text, "<inline>:5:3: error: timeouts.conect_ms"));
}

TEST_CASE("a config file's diagnostics name the file") {
    const auto path = temp_file("bad.yaml", "# comment\ntimeouts:\n  query_ms: -5\n");
    const auto r = load_config_file(path);
    std::remove(path.c_str());
    REQUIRE(r.config == nullptr);
    CHECK(r.diagnostics.file() == path);
    CHECK(contains(r.diagnostics.to_string(), path + ":3:13: error: timeouts.query_ms: value -5 is out of range"));

    const auto missing = load_config_file("/nonexistent/circleci.yaml");
    CHECK(missing.config == nullptr);
    CHECK(contains(missing.diagnostics.to_string(), "/nonexistent/circleci.yaml"));
    CHECK(contains(missing.diagnostics.to_string(), "cannot open"));
}
