// ToolJump's match operators as tj-host evaluates them (host-sdk/lib/match.cpp), one
// table row per case; then validate_match, lookup and the host's secret store.
#include <doctest/doctest.h>

#include "match.hpp"
#include "secrets.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include <unistd.h>
#include <string>
#include <vector>

namespace {

const boost::json::value& sample_context() {
    static const auto v = boost::json::parse(R"({
        "type": "github",
        "url": "https://github.com/acme/webshop/tree/main",
        "page": {
            "name": "repository",
            "repository": "acme/webshop",
            "section": {"name": "code", "hash": "main"},
            "stars": 42,
            "ratio": 1.5,
            "private": false
        },
        "service": {"name": "checkout", "tags": ["prod", "eu"]},
        "items": [{"id": 1, "name": "first"}, {"id": 2, "name": "second"}],
        "nothing": null
    })");
    return v;
}

struct Row {
    const char* path;
    const char* op;
    const char* operand;  // JSON
    bool expected;
};

// One rule on the github context type.
boost::json::value rule(const Row& r) {
    boost::json::object op;
    op[r.op] = boost::json::parse(r.operand);
    boost::json::object context;
    context[r.path] = std::move(op);
    return boost::json::object{{"contextType", "github"}, {"context", std::move(context)}};
}

}  // namespace

TEST_CASE("match operators, table driven") {
    const Row rows[] = {
        // exists (null counts as absent)
        {"page.repository", "exists", "true", true},
        {"page.repository", "exists", "false", false},
        {"page.missing", "exists", "true", false},
        {"page.missing", "exists", "false", true},
        {"nothing", "exists", "true", false},
        {"nothing", "exists", "false", true},
        // equals: string, number (int/float compare by value), bool; no type coercion
        {"page.repository", "equals", R"("acme/webshop")", true},
        {"page.repository", "equals", R"("acme/other")", false},
        {"page.stars", "equals", "42", true},
        {"page.stars", "equals", "42.0", true},
        {"page.stars", "equals", R"("42")", false},
        {"page.ratio", "equals", "1.5", true},
        {"page.private", "equals", "false", true},
        {"page.private", "equals", "true", false},
        {"page.missing", "equals", "null", false},
        // in
        {"page.section.name", "in", R"(["code", "commits"])", true},
        {"page.section.name", "in", R"(["pulls", "issues"])", false},
        {"page.stars", "in", "[1, 42]", true},
        {"page.stars", "in", "[]", false},
        {"page.missing", "in", R"(["x"])", false},
        // pattern: ECMAScript regex, searched (not anchored unless the pattern says so)
        {"url", "pattern", R"("^https://github\\.com/acme/")", true},
        {"url", "pattern", R"("gitlab")", false},
        {"page.repository", "pattern", R"("web")", true},
        {"page.repository", "pattern", R"("^web")", false},
        {"page.stars", "pattern", R"("42")", false},  // only strings match a pattern
        {"page.missing", "pattern", R"(".*")", false},
        // startsWith / endsWith
        {"url", "startsWith", R"("https://github.com/")", true},
        {"url", "startsWith", R"("http://")", false},
        {"url", "startsWith", R"("")", true},
        {"page.stars", "startsWith", R"("4")", false},
        {"page.repository", "endsWith", R"("/webshop")", true},
        {"page.repository", "endsWith", R"("/api")", false},
        {"page.missing", "endsWith", R"("")", false},
        // dotted paths through nested objects and arrays
        {"service.name", "equals", R"("checkout")", true},
        {"service.tags.0", "equals", R"("prod")", true},
        {"service.tags.1", "in", R"(["eu", "us"])", true},
        {"service.tags.2", "exists", "true", false},
        {"items.1.name", "equals", R"("second")", true},
        {"items.0.id", "equals", "1", true},
        {"items.x.name", "exists", "true", false},
        {"items.-1.name", "exists", "true", false},
        {"page.section.hash.deeper", "exists", "true", false},  // through a string
        {"page.repository.owner", "exists", "false", true},
    };
    static_assert(sizeof rows / sizeof rows[0] >= 30);
    for (const auto& r : rows) {
        const auto m = rule(r);
        CAPTURE(boost::json::serialize(m));
        REQUIRE(tjhost::validate_match(m).empty());
        std::string why;
        CHECK(tjhost::matches(m, sample_context(), &why) == r.expected);
        if (!r.expected) {
            // A failed rule names its path and operator.
            CHECK(why.find(r.path) != std::string::npos);
            CHECK(why.find(r.op) != std::string::npos);
        }
    }
}

TEST_CASE("contextType: exact, other, and *") {
    const auto& ctx = sample_context();
    auto m = [](const char* json) { return boost::json::parse(json); };
    CHECK(tjhost::matches(m(R"({"contextType":"github"})"), ctx));
    std::string why;
    CHECK_FALSE(tjhost::matches(m(R"({"contextType":"aws"})"), ctx, &why));
    CHECK(why.find("contextType") != std::string::npos);
    CHECK(tjhost::matches(m(R"({"contextType":"*"})"), ctx));
    CHECK(tjhost::matches(m(R"({"contextType":"*","context":{"page.repository":{"exists":true}}})"), ctx));
    CHECK_FALSE(tjhost::matches(m(R"({"contextType":"*","context":{"page.missing":{"exists":true}}})"), ctx));
    // A context without a type matches only "*".
    const auto untyped = m(R"({"url":"https://example.com"})");
    CHECK_FALSE(tjhost::matches(m(R"({"contextType":"github"})"), untyped));
    CHECK(tjhost::matches(m(R"({"contextType":"*"})"), untyped));
    const auto numeric_type = m(R"({"type":7})");
    CHECK_FALSE(tjhost::matches(m(R"({"contextType":"github"})"), numeric_type));
}

TEST_CASE("every rule must hold") {
    const auto& ctx = sample_context();
    const auto all = boost::json::parse(R"({"contextType":"github","context":{
        "page.repository":{"exists":true},
        "url":{"startsWith":"https://github.com/"},
        "service.name":{"in":["checkout","cart"]}}})");
    CHECK(tjhost::matches(all, ctx));
    const auto one_fails = boost::json::parse(R"({"contextType":"github","context":{
        "page.repository":{"exists":true},
        "service.name":{"equals":"cart"}}})");
    std::string why;
    CHECK_FALSE(tjhost::matches(one_fails, ctx, &why));
    CHECK(why.find("service.name") != std::string::npos);
}

TEST_CASE("validate_match rejects malformed rules, naming path and operator") {
    struct Bad {
        const char* json;
        const char* expect;
    };
    const Bad bad[] = {
        {R"([1])", "mapping"},
        {R"({"contextType":"github","context":[1]})", "match.context"},
        {R"({"contextType":"github","context":{"url":{}}})", "match.context.url: needs exactly one operator"},
        {R"({"contextType":"github","context":{"url":{"startsWith":"a","endsWith":"b"}}})", "exactly one operator"},
        {R"({"contextType":"github","context":{"url":"https://x"}})", "exactly one operator"},
        {R"({"contextType":"github","context":{"url":{"contains":"x"}}})", "unknown operator 'contains'"},
        {R"({"contextType":"github","context":{"url":{"exists":"yes"}}})", "match.context.url.exists"},
        {R"({"contextType":"github","context":{"url":{"in":"x"}}})", "match.context.url.in: expected a list"},
        {R"({"contextType":"github","context":{"url":{"pattern":5}}})", "match.context.url.pattern"},
        {R"({"contextType":"github","context":{"url":{"pattern":"(unclosed"}}})",
         "match.context.url.pattern: invalid regex"},
        {R"({"contextType":"github","context":{"url":{"pattern":"[z-a]"}}})", "invalid regex"},
        {R"({"contextType":"github","context":{"url":{"startsWith":1}}})", "match.context.url.startsWith"},
        {R"({"contextType":"github","context":{"url":{"endsWith":null}}})", "match.context.url.endsWith"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.json);
        const auto error = tjhost::validate_match(boost::json::parse(b.json));
        CAPTURE(error);
        CHECK(error.find(b.expect) != std::string::npos);
    }
    CHECK(tjhost::validate_match(boost::json::parse(R"({"contextType":"github"})")).empty());
    CHECK(tjhost::validate_match(
              boost::json::parse(R"({"contextType":"github","context":{"url":{"pattern":"^https://[a-z.]+/"}}})"))
              .empty());
}

TEST_CASE("lookup follows dotted paths through objects and arrays") {
    const auto& ctx = sample_context();
    const auto* hash = tjhost::lookup(ctx, "page.section.hash");
    REQUIRE(hash != nullptr);
    CHECK(*hash == "main");
    const auto* id = tjhost::lookup(ctx, "items.1.id");
    REQUIRE(id != nullptr);
    CHECK(*id == 2);
    CHECK(tjhost::lookup(ctx, "items.2.id") == nullptr);
    CHECK(tjhost::lookup(ctx, "items.1x") == nullptr);
    CHECK(tjhost::lookup(ctx, "page.nope.deeper") == nullptr);
    CHECK(tjhost::lookup(ctx, "type") != nullptr);
    const auto* nothing = tjhost::lookup(ctx, "nothing");
    REQUIRE(nothing != nullptr);
    CHECK(nothing->is_null());
}

namespace {

struct Captured {
    int calls = 0;
    std::string value;
    static void sink(void* self, tj_str_view v) {
        auto* c = static_cast<Captured*>(self);
        ++c->calls;
        c->value.assign(v.ptr ? v.ptr : "", v.len);
    }
};

tj_status ask(const tjhost::SecretStore& store, const std::string& name, Captured& c) {
    return tjhost::SecretStore::callback(const_cast<tjhost::SecretStore*>(&store), {name.data(), name.size()},
                                         Captured::sink, &c);
}

}  // namespace

TEST_CASE("SecretStore hands out only declared secrets, from INTEGRATION_<NAME>") {
    ::setenv("INTEGRATION_TJ_TEST_TOKEN", "value-of-token", 1);
    ::setenv("INTEGRATION_TJ_TEST_UNDECLARED", "value-of-undeclared", 1);
    ::setenv("INTEGRATION_TJ_TEST_EMPTY", "", 1);
    ::setenv("TJ_TEST_PLAIN", "value-without-prefix", 1);
    ::unsetenv("INTEGRATION_TJ_TEST_UNSET");

    tjhost::SecretStore store;
    store.declare("TJ_TEST_TOKEN");
    store.declare("TJ_TEST_EMPTY");
    store.declare("TJ_TEST_UNSET");
    store.declare("TJ_TEST_PLAIN");

    CHECK(store.get("TJ_TEST_TOKEN") == std::optional<std::string>("value-of-token"));
    CHECK_FALSE(store.get("TJ_TEST_UNDECLARED").has_value());  // set, but not declared
    CHECK_FALSE(store.get("TJ_TEST_EMPTY").has_value());
    CHECK_FALSE(store.get("TJ_TEST_UNSET").has_value());
    CHECK_FALSE(store.get("TJ_TEST_PLAIN").has_value());              // only the INTEGRATION_ variable counts
    CHECK_FALSE(store.get("INTEGRATION_TJ_TEST_TOKEN").has_value());  // names are secret names

    // Through the C callback: the sink runs exactly once for a known secret, never otherwise.
    Captured c;
    CHECK(ask(store, "TJ_TEST_TOKEN", c) == TJ_STATUS_OK);
    CHECK(c.calls == 1);
    CHECK(c.value == "value-of-token");
    Captured none;
    CHECK(ask(store, "TJ_TEST_UNDECLARED", none) == TJ_STATUS_NO_MATCH);
    CHECK(ask(store, "TJ_TEST_UNSET", none) == TJ_STATUS_NO_MATCH);
    CHECK(ask(store, "", none) == TJ_STATUS_NO_MATCH);
    CHECK(none.calls == 0);
    CHECK(tjhost::SecretStore::callback(nullptr, {"X", 1}, Captured::sink, &none) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(tjhost::SecretStore::callback(&store, {nullptr, 3}, Captured::sink, &none) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(tjhost::SecretStore::callback(&store, {"TJ_TEST_TOKEN", 13}, nullptr, &none) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(none.calls == 0);

    // Declaring later makes it visible.
    store.declare("TJ_TEST_UNDECLARED");
    CHECK(store.get("TJ_TEST_UNDECLARED") == std::optional<std::string>("value-of-undeclared"));
}

TEST_CASE("SecretStore: INTEGRATION_<NAME>, then _FILE, then $CREDENTIALS_DIRECTORY; reload() reads them again") {
    const std::string dir = "/tmp/tjc_secrets_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir + "/creds");
    const auto write = [](const std::string& path, const std::string& text) {
        std::ofstream(path, std::ios::binary) << text;
    };
    write(dir + "/token", "from-file\r\n");
    write(dir + "/creds/CRED_TOKEN", "from-credential\n");
    write(dir + "/creds/BOTH", "credential-loses");
    std::map<std::string, std::string> env{{"INTEGRATION_FILE_TOKEN_FILE", dir + "/token"},
                                           {"CREDENTIALS_DIRECTORY", dir + "/creds"},
                                           {"INTEGRATION_BOTH", "variable-wins"},
                                           {"INTEGRATION_BAD_FILE", "/nonexistent/x"}};
    tjhost::SecretStore store([&env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional(it->second);
    });
    CHECK(store.declare("FILE_TOKEN").empty());
    CHECK(store.declare("CRED_TOKEN").empty());
    CHECK(store.declare("BOTH").empty());
    CHECK(store.declare("NONE").empty());  // no source at all is not a problem
    CHECK(store.declare("BAD") == "secret BAD: cannot read INTEGRATION_BAD_FILE (/nonexistent/x)");
    CHECK(store.get("FILE_TOKEN") == std::optional<std::string>("from-file"));  // trailing CR/LF dropped
    CHECK(store.get("CRED_TOKEN") == std::optional<std::string>("from-credential"));
    CHECK(store.get("BOTH") == std::optional<std::string>("variable-wins"));
    CHECK_FALSE(store.get("NONE").has_value());
    CHECK_FALSE(store.get("BAD").has_value());
    CHECK(store.source_of("FILE_TOKEN") == "INTEGRATION_FILE_TOKEN_FILE=" + dir + "/token");
    CHECK(store.source_of("CRED_TOKEN") == "credential " + dir + "/creds/CRED_TOKEN");
    CHECK(store.source_of("BOTH") == "INTEGRATION_BOTH");

    // Rotation: the files change; nothing changes until reload(), then everything does.
    write(dir + "/token", "rotated-file");
    write(dir + "/creds/CRED_TOKEN", "rotated-credential");
    std::filesystem::remove(dir + "/creds/BOTH");
    env.erase("INTEGRATION_BOTH");
    CHECK(store.get("FILE_TOKEN") == std::optional<std::string>("from-file"));
    CHECK(store.reload() == std::vector<std::string>{"secret BAD: cannot read INTEGRATION_BAD_FILE (/nonexistent/x)"});
    CHECK(store.get("FILE_TOKEN") == std::optional<std::string>("rotated-file"));
    CHECK(store.get("CRED_TOKEN") == std::optional<std::string>("rotated-credential"));
    CHECK_FALSE(store.get("BOTH").has_value());  // its sources are gone
    std::filesystem::remove_all(dir);
}
