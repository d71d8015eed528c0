// tj-host's command line is a contract (issue 2, section 3): subcommands, flags, output and
// exit codes (0 ok, 1 plugin failure, 2 bad input, 3 nothing maps). Each case runs the real
// tj-host binary on the real plugin as a subprocess.
#include <doctest/doctest.h>

#include "closed_port.hpp"
#include "subprocess.hpp"
#include "text.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using tjtest::contains;

namespace {

using tjtest::ProcessResult;

ProcessResult tj_host(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), TJ_HOST_PATH);
    return tjtest::run_process(args, env);
}

boost::json::value parse(const std::string& text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) {
        FAIL("not JSON: " << text);
    }
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
    return temp_file(
        "offline_" + std::to_string(++n) + ".yaml",
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
    CHECK(d.at("match") == boost::json::object{{"contextType", "*"}});
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
        "github:acme/webshop",
        "git+https://github.com/acme/webshop.git",
        "git+ssh://git@github.com:acme/webshop.git",
        "https://github.com/acme/webshop#x@evil.com:other/repo",
    };
    for (const char* form : forms) {
        CAPTURE(form);
        const auto r = tj_host({"resolve", "--plugin", kPlugin, "--repo", form});
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(parse(r.out).at("projects").at(0).at("slug") == "gh/acme/webshop");
    }
}

TEST_CASE("--repo refuses local paths and file URLs with a clear message (exit 2)") {
    for (const char* form : {"/path/to/repo.git/", "file:///path/to/repo.git/", "git+file:///foo/bar", "./repo"}) {
        CAPTURE(form);
        const auto r = tj_host({"resolve", "--plugin", kPlugin, "--repo", form});
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "--repo: repository: a local path or file URL names a clone on some disk"));
        CHECK(r.out.empty());
    }
    const auto gh_page =
        tj_host({"resolve", "--plugin", kPlugin, "--repo", "https://github.com/orgs/acme/repositories"});
    CHECK(gh_page.exit_code == 2);
    CHECK(contains(gh_page.err, "GitHub's own page"));
}

TEST_CASE("--branch, --commit and --service reach the plugin through the page's context") {
    auto first = [](const ProcessResult& r) {
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        return parse(r.out).at("projects").at(0);
    };
    CHECK(first(tj_host({"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--branch", "release-1"}))
              .at("branch") == "release-1");
    // A branch with '/' arrives as the extension sends it: the plan picks among the candidates.
    const auto slash =
        first(tj_host({"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--branch", "release/2.1"}));
    CHECK_FALSE(slash.as_object().contains("branch"));
    CHECK(slash.at("branchCandidates") == boost::json::array{"release/2.1", "release"});
    // No --branch: the front page, whose "main" is a placeholder: the default branch.
    CHECK_FALSE(
        first(tj_host({"resolve", "--plugin", kPlugin, "--repo", "acme/webshop"})).as_object().contains("branch"));
    // Another host: a generic page of a known VCS host.
    CHECK(first(tj_host({"resolve", "--plugin", kPlugin, "--repo", "bitbucket:acme/legacy"})).at("slug") ==
          "bb/acme/legacy");
    const std::string sha = "0123456789abcdef0123456789abcdef01234567";
    CHECK(first(tj_host({"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--commit", sha})).at("commit") ==
          sha.c_str());
    CHECK(first(tj_host({"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--service", "checkout"}))
              .at("filters")
              .at("service") == "checkout");
}

TEST_CASE("resolve: a context from which nothing maps exits 3 and says why") {
    const std::vector<std::pair<std::string, std::string>> contexts = {
        {R"({"type":"aws","url":"https://console.aws.amazon.com/lambda","service":{"name":"lambda","resourceName":"fn"}})",
         "no mapping.resource_names pattern matches 'fn'"},
        {R"({"type":"github","url":"https://github.com/acme","page":{"name":"profile"}})", "no repository page"},
        {R"({"type":"github","url":"https://github.com/orgs/acme/repositories","page":{"name":"profile"}})",
         "GitHub's own page"},
        {R"({"type":"generic","url":"https://grafana.acme.io/d/x/webshop"})",
         "'grafana.acme.io' is not a known VCS host"},
    };
    for (const auto& [context, why] : contexts) {
        const std::string shown = context;  // CAPTURE cannot take a structured binding (clang 14)
        CAPTURE(shown);
        const auto r = tj_host({"resolve", "--plugin", kPlugin, "--context", context});
        CHECK(r.exit_code == 3);
        const auto v = parse(r.out);
        CHECK(v.at("projects").as_array().empty());
        CHECK(contains(std::string(v.at("reason").as_string()), why));
    }
}

TEST_CASE("resolve explains which fact came from where and which rule decided") {
    const auto config =
        temp_file("explain.yaml",
                  "mapping:\n  resource_names: [\"{service}-{env}\"]\n  service_project: \"gh/acme/{service}\"\n"
                  "  rules:\n    - name: dashboards\n      url_pattern: \"https://grafana.acme.io/d/*/{service}\"\n"
                  "      project: gh/acme/{service}-dash\n");
    const auto lambda = tj_host(
        {"resolve", "--plugin", kPlugin, "--config", config, "--context",
         R"({"type":"aws","url":"https://eu-west-1.console.aws.amazon.com/lambda/home#/functions/webshop-prod",)"
         R"("service":{"name":"lambda","resourceName":"webshop-prod"},"tags":["team:payments"]})"});
    const auto dash = tj_host({"resolve", "--plugin", kPlugin, "--config", config, "--context",
                               R"({"type":"generic","url":"https://grafana.acme.io/d/x/webshop"})"});
    std::remove(config.c_str());
    INFO("stderr: " << lambda.err << dash.err);
    REQUIRE(lambda.exit_code == 0);
    const auto l = parse(lambda.out);
    CHECK(l.at("facts").at("service") == boost::json::object{{"value", "webshop"}, {"from", "resource name"}});
    CHECK(l.at("facts").at("env") == boost::json::object{{"value", "prod"}, {"from", "resource name"}});
    CHECK(l.at("facts").at("team") == boost::json::object{{"value", "payments"}, {"from", "tag"}});
    CHECK(l.at("projects").at(0).at("mappedBy") == "service convention");
    CHECK(contains(std::string(l.at("projects").at(0).at("rule").as_string()), "explain.yaml:3:20"));
    REQUIRE(dash.exit_code == 0);
    const auto d = parse(dash.out);
    CHECK(d.at("facts").at("service") == boost::json::object{{"value", "webshop"}, {"from", "URL pattern"}});
    CHECK(d.at("projects").at(0).at("ruleName") == "dashboards");
    CHECK(d.at("projects").at(0).at("slug") == "gh/acme/webshop-dash");
}

TEST_CASE("--context takes JSON text or @file") {
    const auto file = temp_file(
        "context.json", R"({"type":"github","url":"https://github.com/acme/api","page":{"repository":"acme/api"}})");
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
        {{"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--bogus", "1"}, "--bogus"},
        {{"resolve", "--repo", "acme/webshop"}, "--plugin"},
        {{"describe"}, "--plugin"},
        {{"resolve", "--plugin", kPlugin}, "context is required"},
        {{"resolve", "--plugin", kPlugin, "--repo", "acme/webshop", "--context", "{}"}, "excludes"},
        {{"frobnicate", "--plugin", kPlugin}, "unknown command 'frobnicate'"},
        {{}, "subcommand is required"},
        {{"query", "--plugin", kPlugin, "--repo", "acme/webshop", "--format", "xml"}, "--format"},
        {{"query", "--plugin", kPlugin, "--repo", "acme/webshop", "--timeout-ms", "0"}, "--timeout-ms"},
        {{"query", "--plugin", kPlugin, "--repo", "acme/webshop", "--timeout-ms", "soon"}, "--timeout-ms"},
        {{"resolve", "--plugin", kPlugin, "--repo"}, "--repo"},
        // Matches the manifest (every context does) but the plugin finds a wrong type.
        {{"resolve", "--plugin", kPlugin, "--context",
          R"({"type":"github","page":{"repository":"a/b","section":{"hash":7}}})"},
         "page.section.hash"},
    };
    for (const auto& c : cases) {
        std::string joined;
        for (const auto& a : c.args) {
            joined += a + " ";
        }
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
    const auto r =
        tj_host({"query", "--plugin", kPlugin, "--config", config, "--repo", "acme/webshop", "--timeout-ms", "4000"},
                kFakeToken);
    std::remove(config.c_str());
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto v = parse(r.out);
    REQUIRE(v.is_array());
    REQUIRE_FALSE(v.as_array().empty());
    for (const auto& card : v.as_array()) {
        CHECK(card.at("type").is_string());
    }
    CHECK(contains(r.out, "gh/acme/webshop"));
}

TEST_CASE("query --format text prints a readable table") {
    const auto config = offline_config_file();
    const auto r = tj_host(
        {"query", "--plugin", kPlugin, "--config", config, "--repo", "acme/webshop", "--format", "text"}, kFakeToken);
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
    const auto r = tj_host(
        {"query", "--plugin", kPlugin, "--context", R"({"type":"aws","url":"https://console.aws.amazon.com"})"});
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

    const auto missing =
        tj_host({"resolve", "--plugin", kPlugin, "--config", "/nonexistent/circleci.yaml", "--repo", "a/b"});
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
        {"another match", "contextType: \"*\"", "contextType: generic", "match"},
        {"a secret the plugin does not declare", "  - CIRCLECI_TOKEN", "  - CIRCLECI_TOKEN\n  - GITHUB_TOKEN",
         "GITHUB_TOKEN"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        const auto manifest = temp_file("manifest.yaml", manifest_with(c.from, c.to));
        for (const char* command : {"describe", "resolve", "query"}) {
            CAPTURE(command);
            std::vector<std::string> args{command, "--plugin", kPlugin, "--manifest", manifest};
            if (std::string(command) != "describe") {
                args.insert(args.end(), {"--repo", "acme/webshop"});
            }
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
    const auto r = tj_host(
        {"resolve", "--plugin", kPlugin, "--manifest", TJC_SOURCE_DIR "/manifest.yaml", "--repo", "acme/webshop"});
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

TEST_CASE("--help, -h, help <command> and --version print to stdout and exit 0") {
    struct Case {
        std::vector<std::string> args;
        const char* expect;
    };
    const std::vector<Case> cases = {
        {{"--help"}, "Usage: tj-host [OPTIONS] SUBCOMMAND"},
        {{"-h"}, "Subcommands:"},
        {{"help"}, "Subcommands:"},
        {{"help", "query"}, "Usage: tj-host query"},
        {{"help", "serve"}, "--listen HOST:PORT"},
        {{"query", "--help"}, "--format json|text"},
        {{"resolve", "-h"}, "--repo URL"},
        {{"serve", "--help"}, "--rate-limit N/SECONDS"},
        {{"--version"}, "tj-host 0.1.0 (plugin ABI 1."},
    };
    for (const auto& c : cases) {
        std::string joined;
        for (const auto& a : c.args) {
            joined += a + " ";
        }
        CAPTURE(joined);
        const auto r = tj_host(c.args);
        CHECK(r.exit_code == 0);
        CHECK(contains(r.out, c.expect));
        CHECK(r.err.empty());
    }
    // A mistake prints the message and the usage of the command it was in, to stderr: exit 2.
    const auto r = tj_host({"query", "--plugin", kPlugin, "--frobnicate"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "--frobnicate"));
    CHECK(contains(r.err, "Usage: tj-host query"));
    const auto h = tj_host({"help", "frobnicate"});
    CHECK(h.exit_code == 2);
    CHECK(contains(h.err, "no command 'frobnicate'"));
}

TEST_CASE("--plugin NAME finds an installed plugin: TOOLJUMP_PLUGIN_PATH, then the install beside tj-host") {
    // The build tree mirrors the install: bin/tj-host and lib/tooljump/plugins/circleci/.
    const auto beside = tj_host({"describe", "--plugin", "circleci"}, {{"TOOLJUMP_PLUGIN_PATH", "\x01unset"}});
    INFO("stderr: " << beside.err);
    REQUIRE(beside.exit_code == 0);
    CHECK(parse(beside.out).at("name") == "circleci");

    // A folder of TOOLJUMP_PLUGIN_PATH comes first: a plugin there under another name is found,
    // a name in no folder is refused with the folders searched.
    const std::string dir = "/tmp/tjc_host_cli_" + std::to_string(getpid()) + "_plugins";
    const std::string plugin_dir = std::filesystem::path(kPlugin).parent_path().string();
    std::filesystem::create_directories(dir);
    std::filesystem::create_directory_symlink(plugin_dir, dir + "/circleci-copy");
    const auto named =
        tj_host({"describe", "--plugin", "circleci-copy"}, {{"TOOLJUMP_PLUGIN_PATH", "/nonexistent:" + dir}});
    INFO("stderr: " << named.err);
    CHECK(named.exit_code == 0);
    const auto missing = tj_host({"describe", "--plugin", "nosuchplugin"}, {{"TOOLJUMP_PLUGIN_PATH", dir}});
    CHECK(missing.exit_code == 1);
    CHECK(contains(missing.err, "no plugin named 'nosuchplugin'"));
    CHECK(contains(missing.err, dir + "/nosuchplugin"));
    CHECK(contains(missing.err, "lib/tooljump/plugins/nosuchplugin"));
    const auto odd = tj_host({"describe", "--plugin", "Not A Name"});
    CHECK(odd.exit_code == 1);
    CHECK(contains(odd.err, "neither a path"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("secrets from INTEGRATION_<NAME>_FILE and $CREDENTIALS_DIRECTORY reach the plugin, never the output") {
    const std::string value = "tok-file-51c0ffee";
    const auto token_file = temp_file("token_file", value + "\n");  // the newline is not part of it
    const auto config = offline_config_file();
    const std::string creds = "/tmp/tjc_host_cli_" + std::to_string(getpid()) + "_creds";
    std::filesystem::create_directories(creds);
    std::ofstream(creds + "/CIRCLECI_TOKEN") << value;
    const std::vector<std::map<std::string, std::string>> envs = {
        {{"INTEGRATION_CIRCLECI_TOKEN", "\x01unset"}, {"INTEGRATION_CIRCLECI_TOKEN_FILE", token_file}},
        {{"INTEGRATION_CIRCLECI_TOKEN", "\x01unset"}, {"CREDENTIALS_DIRECTORY", creds}},
    };
    for (const auto& env : envs) {
        CAPTURE(env.rbegin()->first);
        const auto r = tj_host({"query", "--plugin", kPlugin, "--config", config, "--repo", "acme/webshop"}, env);
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        // With a token the plugin tries the network (a closed port): not the "no API token" card.
        CHECK(contains(r.out, "unreachable"));
        CHECK_FALSE(contains(r.out, "no API token"));
        CHECK_FALSE(contains(r.out, value));
        CHECK_FALSE(contains(r.err, value));
    }
    // An unreadable _FILE is said on stderr (its path, never a value) and the secret is absent.
    const auto r = tj_host(
        {"query", "--plugin", kPlugin, "--config", config, "--repo", "acme/webshop"},
        {{"INTEGRATION_CIRCLECI_TOKEN", "\x01unset"}, {"INTEGRATION_CIRCLECI_TOKEN_FILE", "/nonexistent/token"}});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.err, "cannot read INTEGRATION_CIRCLECI_TOKEN_FILE (/nonexistent/token)"));
    CHECK(contains(r.out, "no API token"));
    std::filesystem::remove_all(creds);
    std::remove(token_file.c_str());
    std::remove(config.c_str());
}
