// tj-host's command line is a contract (issue 2, section 3): subcommands, flags, output and
// exit codes (0 ok, 1 plugin failure, 2 bad input, 3 nothing maps). Each case runs the real
// tj-host binary on the real plugin as a subprocess.
#include <doctest/doctest.h>

#include "closed_port.hpp"
#include "subprocess.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

using tjtest::ProcessResult;

ProcessResult tj_host(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), TJ_HOST_PATH);
    return tjtest::run_process(args, env);
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

boost::json::value parse(const std::string& text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) FAIL("not JSON: " << text);
    return v;
}

std::string temp_file(const std::string& name, const std::string& content) {
    const auto path = "/tmp/tjc_host_cli_" + std::to_string(getpid()) + "_" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

// The repository manifest with one line replaced: a manifest that disagrees with the plugin.
std::string manifest_with(const std::string& from, const std::string& to) {
    std::ifstream in(TJC_SOURCE_DIR "/manifest.yaml", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return text;
}

const std::string kPlugin = TJC_PLUGIN_PATH;

// Queries stay on this machine: the API is a loopback port that refuses connections, and the
// token is a fake one, so a query fails fast with an "unreachable" card (still a result).
const tjtest::ClosedPort& closed_port() {
    static const tjtest::ClosedPort port;
    return port;
}
const std::map<std::string, std::string> kFakeToken{{"INTEGRATION_CIRCLECI_TOKEN", "test-token-not-real"}};

// A config file for queries: the closed API port plus `circleci_lines` (indented keys).
std::string offline_config_file(const std::string& circleci_lines = "") {
    static int n = 0;
    return temp_file("offline_" + std::to_string(++n) + ".yaml",
                     "circleci:\n  api_url: " + closed_port().api_url() + "\n" + circleci_lines + "http:\n  max_retries: 0\n");
}

}  // namespace

TEST_CASE("describe prints name, version, abi, match and requiredSecrets") {
    const auto r = tj_host({"describe", "--plugin", kPlugin});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto d = parse(r.out);
    CHECK(d.at("name") == "circleci");
    CHECK(d.at("version").is_string());
    CHECK_FALSE(d.at("version").as_string().empty());
    CHECK(d.at("abi").at("major") == 1);
    CHECK(d.at("abi").at("minor").is_number());
    CHECK(d.at("match").at("contextType") == "github");
    CHECK(d.at("match").at("context").at("page.repository").at("exists") == true);
    CHECK(d.at("requiredSecrets") == boost::json::array{"CIRCLECI_TOKEN"});
}

TEST_CASE("resolve maps a github repo: exit 0 and the project JSON") {
    const auto r = tj_host({"resolve", "--plugin", kPlugin, "--repo", "acme/webshop"});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto v = parse(r.out);
    const auto& projects = v.at("projects").as_array();
    REQUIRE(projects.size() == 1);
    CHECK(projects[0].at("slug") == "gh/acme/webshop");
    CHECK_FALSE(projects[0].at("rule").as_string().empty());
    CHECK(projects[0].at("tokenSecret") == "CIRCLECI_TOKEN");
}

TEST_CASE("--repo takes every repository URL form") {
    const char* forms[] = {
        "acme/webshop",
        "https://github.com/acme/webshop",
        "https://github.com/acme/webshop/tree/feature-x",
        "https://github.com/acme/webshop.git",
        "https://www.github.com/acme/webshop/",
        "ssh://git@github.com/acme/webshop.git",
        "git@github.com:acme/webshop.git",
        "git@github.com:acme/webshop",
        "github.com/acme/webshop",
        "github.com/acme/webshop/tree/main",
    };
    for (const char* form : forms) {
        CAPTURE(form);
        const auto r = tj_host({"resolve", "--plugin", kPlugin, "--repo", form});
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(parse(r.out).at("projects").at(0).at("slug") == "gh/acme/webshop");
    }
}

TEST_CASE("--branch, --commit and --service reach the plugin through the github context") {
    auto first = [](const ProcessResult& r) {
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        return parse(r.out).at("projects").at(0);
    };
    CHECK(first(tj_host({"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--branch", "release-1"}))
              .at("branch") == "release-1");
    const std::string sha = "0123456789abcdef0123456789abcdef01234567";
    CHECK(first(tj_host({"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--commit", sha})).at("commit") == sha.c_str());
    CHECK(first(tj_host({"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--service", "checkout"}))
              .at("filters")
              .at("service") == "checkout");
}

TEST_CASE("resolve: a context the manifest does not match exits 3") {
    const std::vector<std::string> contexts = {
        R"({"type":"aws","url":"https://console.aws.amazon.com/lambda"})",
        R"({"type":"github","url":"https://github.com/acme"})",  // no page.repository
    };
    for (const auto& context : contexts) {
        CAPTURE(context);
        const auto r = tj_host({"resolve", "--plugin", kPlugin, "--context", context});
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "does not match"));
        CHECK(parse(r.out).at("projects").as_array().empty());
    }
}

TEST_CASE("--context takes JSON text or @file") {
    const auto file = temp_file("context.json", R"({"type":"github","url":"https://github.com/acme/api","page":{"repository":"acme/api"}})");
    const auto r = tj_host({"resolve", "--plugin", kPlugin, "--context", "@" + file});
    std::remove(file.c_str());
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(parse(r.out).at("projects").at(0).at("slug") == "gh/acme/api");
}

TEST_CASE("bad input exits 2 with a message on stderr") {
    struct Case {
        std::vector<std::string> args;
        const char* expect;
    };
    const std::vector<Case> cases = {
        {{"resolve", "--plugin", kPlugin, "--context", "{not json"}, "invalid JSON"},
        {{"query", "--plugin", kPlugin, "--context", "{not json"}, "invalid JSON"},
        {{"resolve", "--plugin", kPlugin, "--context", "[1,2]"}, "JSON object"},
        {{"resolve", "--plugin", kPlugin, "--context", "@/nonexistent/context.json"}, "cannot read"},
        {{"resolve", "--plugin", kPlugin, "--repo", "just-a-name"}, "--repo"},
        {{"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--bogus", "1"}, "unknown flag --bogus"},
        {{"resolve", "--repo", "acme/webshop"}, "--plugin"},
        {{"describe"}, "--plugin"},
        {{"resolve", "--plugin", kPlugin}, "context is required"},
        {{"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--context", "{}"}, "not both"},
        {{"frobnicate", "--plugin", kPlugin}, "unknown subcommand"},
        {{}, "missing subcommand"},
        {{"query", "--plugin", kPlugin, "--repo", "acme/webshop", "--format", "xml"}, "--format"},
        {{"query", "--plugin", kPlugin, "--repo", "acme/webshop", "--timeout-ms", "0"}, "--timeout-ms"},
        {{"query", "--plugin", kPlugin, "--repo", "acme/webshop", "--timeout-ms", "soon"}, "--timeout-ms"},
        {{"resolve", "--plugin", kPlugin, "--repo"}, "needs a value"},
        // Matches the manifest (page.repository exists) but the plugin finds a wrong type.
        {{"resolve", "--plugin", kPlugin, "--context", R"({"type":"github","page":{"repository":"a/b","section":{"hash":7}}})"},
         "page.section.hash"},
    };
    for (const auto& c : cases) {
        std::string joined;
        for (const auto& a : c.args) joined += a + " ";
        CAPTURE(joined);
        const auto r = tj_host(c.args);
        INFO("stderr: " << r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, c.expect));
        CHECK(r.out.empty());
    }
}

TEST_CASE("query prints a JSON array of results") {
    const auto config = offline_config_file();
    const auto r = tj_host({"query", "--plugin", kPlugin, "--config", config, "--repo", "acme/webshop", "--timeout-ms", "4000"},
                           kFakeToken);
    std::remove(config.c_str());
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto v = parse(r.out);
    REQUIRE(v.is_array());
    REQUIRE_FALSE(v.as_array().empty());
    for (const auto& card : v.as_array()) CHECK(card.at("type").is_string());
    CHECK(contains(r.out, "gh/acme/webshop"));
}

TEST_CASE("query --format text prints a readable table") {
    const auto config = offline_config_file();
    const auto r = tj_host({"query", "--plugin", kPlugin, "--config", config, "--repo", "acme/webshop", "--format", "text"},
                           kFakeToken);
    std::remove(config.c_str());
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(r.out.starts_with("[{"));
    boost::system::error_code ec;
    (void)boost::json::parse(r.out, ec);
    CHECK(ec);  // not JSON
    CHECK(contains(r.out, "gh/acme/webshop"));
    CHECK(contains(r.out, "https://app.circleci.com"));
}

TEST_CASE("query: a context the manifest does not match prints [] and exits 0") {
    const auto r = tj_host({"query", "--plugin", kPlugin, "--context", R"({"type":"aws","url":"https://console.aws.amazon.com"})"});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "[]\n");
}

TEST_CASE("--config is applied, and a config with an unknown key exits 2 naming file:line:column") {
    const auto good = offline_config_file("  app_url: https://circleci.internal.example.com\n");
    const auto ok = tj_host({"query", "--plugin", kPlugin, "--config", good, "--repo", "acme/webshop"}, kFakeToken);
    std::remove(good.c_str());
    INFO("stderr: " << ok.err);
    REQUIRE(ok.exit_code == 0);
    CHECK(contains(ok.out, "https://circleci.internal.example.com"));

    const auto bad = temp_file("bad.yaml", "circleci:\n  app_ulr: https://circleci.internal.example.com\n");
    for (const char* command : {"resolve", "query"}) {
        CAPTURE(command);
        const auto r = tj_host({command, "--plugin", kPlugin, "--config", bad, "--repo", "acme/webshop"});
        INFO("stderr: " << r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, bad + ":2:3: error: circleci.app_ulr"));
        CHECK(contains(r.err, "did you mean 'app_url'"));
        CHECK(r.out.empty());
    }
    std::remove(bad.c_str());

    const auto missing = tj_host({"resolve", "--plugin", kPlugin, "--config", "/nonexistent/circleci.yaml", "--repo", "a/b"});
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.err, "/nonexistent/circleci.yaml"));
}

TEST_CASE("a manifest that disagrees with the plugin is refused") {
    struct Case {
        const char* what;
        std::string from, to;
        const char* expect;
    };
    const Case cases[] = {
        {"another name", "name: circleci", "name: circleci-fork", "name"},
        {"another abi major", "  major: 1", "  major: 2", "abi.major"},
        {"another match", "contextType: github", "contextType: generic", "match"},
        {"a secret the plugin does not declare", "  - CIRCLECI_TOKEN", "  - CIRCLECI_TOKEN\n  - GITHUB_TOKEN", "GITHUB_TOKEN"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        const auto manifest = temp_file("manifest.yaml", manifest_with(c.from, c.to));
        for (const char* command : {"describe", "resolve", "query"}) {
            CAPTURE(command);
            std::vector<std::string> args{command, "--plugin", kPlugin, "--manifest", manifest};
            if (std::string(command) != "describe") args.insert(args.end(), {"--repo", "acme/webshop"});
            const auto r = tj_host(args);
            INFO("stderr: " << r.err);
            CHECK(r.exit_code == 1);
            CHECK(contains(r.err, "disagrees with"));
            CHECK(contains(r.err, c.expect));
            CHECK(r.out.empty());
        }
        std::remove(manifest.c_str());
    }
    // The unmodified manifest, given explicitly, is accepted.
    const auto r = tj_host({"resolve", "--plugin", kPlugin, "--manifest", TJC_SOURCE_DIR "/manifest.yaml", "--repo", "acme/webshop"});
    CHECK(r.exit_code == 0);
}

TEST_CASE("an invalid manifest is refused with its file and key") {
    const auto manifest = temp_file("invalid_manifest.yaml", manifest_with("cache: 60", "cache: -1"));
    const auto r = tj_host({"resolve", "--plugin", kPlugin, "--manifest", manifest, "--repo", "acme/webshop"});
    std::remove(manifest.c_str());
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, manifest));
    CHECK(contains(r.err, "cache"));
}

TEST_CASE("secret values never reach the output") {
    const std::string value = "tok-3f9a77c1d2e8";
    const std::map<std::string, std::string> env{{"INTEGRATION_CIRCLECI_TOKEN", value}, {"INTEGRATION_OTHER", value}};
    const auto config = offline_config_file();
    for (const char* command : {"resolve", "query"}) {
        CAPTURE(command);
        const auto r = tj_host({command, "--plugin", kPlugin, "--config", config, "--repo", "acme/webshop"}, env);
        CHECK(r.exit_code == 0);
        CHECK_FALSE(contains(r.out, value));
        CHECK_FALSE(contains(r.err, value));
    }
    std::remove(config.c_str());
}
