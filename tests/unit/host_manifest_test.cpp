// manifest.yaml: the repository's own manifest loads, every invalid field is an error that
// names the file, line and key, and the manifest agrees with what the built plugin says
// about itself through describe().
#include <doctest/doctest.h>

#include "loader.hpp"
#include "manifest.hpp"
#include "text.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

using tjtest::contains;
using tjtest::has_position_after;

namespace {

const std::string kRootManifest = TJC_SOURCE_DIR "/manifest.yaml";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The root manifest with `from` replaced by `to` (which may be "" to delete).
std::string root_with(const std::string& from, const std::string& to) {
    auto text = read_file(kRootManifest);
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "manifest.yaml no longer contains: " << from);
    text.replace(at, from.size(), to);
    return text;
}

// Loads text as a manifest file; returns the error message ("" when it loaded).
std::string load_error(const std::string& text, std::string* path_out = nullptr) {
    static int n = 0;
    const auto path = "/tmp/tjc_manifest_test_" + std::to_string(getpid()) + "_" + std::to_string(++n) + ".yaml";
    std::ofstream(path, std::ios::binary) << text;
    if (path_out) {
        *path_out = path;
    }
    std::string error;
    try {
        (void)tjhost::load_manifest(path);
    } catch (const std::exception& e) {
        error = e.what();
    }
    std::remove(path.c_str());
    return error;
}

boost::json::value describe(const tjhost::Plugin& plugin, const tj_instance* instance = nullptr) {
    tj_plugin_owned_str out{};
    REQUIRE(plugin.api().describe(instance, &out) == TJ_STATUS_OK);
    return boost::json::parse(plugin.take(out));
}

}  // namespace

TEST_CASE("the repository's manifest.yaml loads") {
    const auto m = tjhost::load_manifest(kRootManifest);
    CHECK(m.name == "circleci");
    CHECK_FALSE(m.description.empty());
    // Every page: a context from which nothing maps is answered [] by the plugin at once.
    CHECK(m.match.at("contextType") == "*");
    CHECK_FALSE(m.match.as_object().contains("context"));
    CHECK(m.required_secrets == std::vector<std::string>{"CIRCLECI_TOKEN"});
    CHECK(m.cache == 60);
    CHECK(m.priority == 100);
    CHECK(m.abi_major == TJ_ABI_VERSION_MAJOR);
    CHECK(m.abi_minor == TJ_ABI_VERSION_MINOR);
    CHECK(m.library == "libtooljump_circleci.so");
}

TEST_CASE("invalid manifests are errors naming file, line and key") {
    struct Bad {
        const char* what;
        std::string from, to;
        std::string expect;
    };
    const Bad bad[] = {
        {"upper-case name", "name: circleci", "name: CircleCI", "name: must be lowercase"},
        {"name with a space", "name: circleci", "name: circle ci", "name: must be lowercase"},
        {"too short a name", "name: circleci", "name: cci", "name: must be lowercase"},
        {"name starting with a digit", "name: circleci", "name: 1circleci", "name: must be lowercase"},
        {"missing name", "name: circleci\n", "", "name: required"},
        {"negative cache", "cache: 60", "cache: -1", "cache: must be in [0, 2592000]"},
        {"cache beyond 30 days", "cache: 60", "cache: 2592001", "cache: must be in"},
        {"cache not a number", "cache: 60", "cache: soon", "cache: expected an integer"},
        {"priority 0", "priority: 100", "priority: 0", "priority: must be in [1, 1000]"},
        {"priority 1001", "priority: 100", "priority: 1001", "priority: must be in"},
        {"unknown key", "priority: 100", "priority: 100\ncolour: blue", "colour: unknown key"},
        {"missing abi", "abi:\n  major: 1\n  minor: 2\n", "", "abi: required"},
        {"abi major not a number", "  major: 1", "  major: one", "major: expected an integer"},
        {"unknown contextType", "contextType: \"*\"", "contextType: gitlab", "match.contextType: must be"},
        {"invalid regex", "contextType: \"*\"",
         "contextType: \"*\"\n  context:\n    url:\n      pattern: \"(unclosed\"", "invalid regex"},
        {"unknown operator", "contextType: \"*\"", "contextType: \"*\"\n  context:\n    url:\n      contains: x",
         "unknown operator 'contains'"},
        {"requiredSecrets not a list", "requiredSecrets:\n  - CIRCLECI_TOKEN", "requiredSecrets: CIRCLECI_TOKEN",
         "requiredSecrets: expected a list"},
        {"description too long", "description: CircleCI", "description: " + std::string(600, 'x') + " CircleCI",
         "description: longer than 500"},
        {"invalid YAML", "match:", "match: [", "invalid YAML"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.what);
        std::string path;
        const auto error = load_error(root_with(b.from, b.to), &path);
        CAPTURE(error);
        CHECK(error.find(b.expect) != std::string::npos);
        // file:line:column first, except for errors about something absent (no position).
        if (b.to.empty()) {
            CHECK(error.starts_with(path + ":"));
        } else {
            CHECK(has_position_after(error, path + ":", true));
        }
    }
    CHECK(load_error("- a\n- list\n").find("must be a mapping") != std::string::npos);
    std::string error;
    try {
        (void)tjhost::load_manifest("/nonexistent/manifest.yaml");
    } catch (const std::exception& e) {
        error = e.what();
    }
    CHECK(error == "/nonexistent/manifest.yaml: cannot read the manifest");
}

TEST_CASE("an unknown key's position is where the key is") {
    std::string path;
    const auto error =
        load_error("name: circleci\nmatch:\n  contextType: github\nabi: {major: 1, minor: 0}\n  \nlibary: x\n", &path);
    CHECK(error == path + ":6:1: libary: unknown key");
}

TEST_CASE("manifest.yaml agrees with the built plugin's describe()") {
    const auto m = tjhost::load_manifest(kRootManifest);
    tjhost::Plugin plugin(TJC_PLUGIN_PATH);
    const auto d = describe(plugin);
    CHECK(tjhost::compare_with_description(m, d) == "");
    // Fields compare_with_description leaves to us: the whole manifest matches.
    CHECK(d.at("description") == boost::json::value(m.description));
    CHECK(d.at("cache") == boost::json::value(m.cache));
    CHECK(d.at("priority") == boost::json::value(m.priority));
    CHECK(d.at("abi").at("minor").to_number<std::uint32_t>() == m.abi_minor);
    CHECK(d.at("requiredSecrets") == boost::json::array{"CIRCLECI_TOKEN"});
    // The library file name is the plugin's.
    const std::string path = TJC_PLUGIN_PATH;
    CHECK(path.substr(path.rfind('/') + 1) == m.library);

    // With an instance (default config) it still agrees.
    tj_host_callbacks cb{};
    tj_config_source source{{nullptr, 0}, {nullptr, 0}};
    tj_instance* inst = nullptr;
    tj_plugin_owned_str error{};
    REQUIRE(plugin.api().create(&cb, &source, &inst, &error) == TJ_STATUS_OK);
    CHECK(tjhost::compare_with_description(m, describe(plugin, inst)) == "");
    plugin.api().destroy(inst);
}

TEST_CASE("compare_with_description finds each disagreement") {
    const auto m = tjhost::load_manifest(kRootManifest);
    tjhost::Plugin plugin(TJC_PLUGIN_PATH);
    const auto original = describe(plugin);

    auto changed = [&](auto&& edit) {
        auto d = original;
        edit(d.as_object());
        return tjhost::compare_with_description(m, d);
    };
    CHECK(changed([](boost::json::object& o) { o["name"] = "gitlab"; }).find("name") == 0);
    CHECK(changed([](boost::json::object& o) { o["abi"].as_object()["major"] = 2; }).find("abi.major") == 0);
    CHECK(changed([](boost::json::object& o) { o.erase("abi"); }).find("abi") != std::string::npos);
    CHECK(changed([](boost::json::object& o) { o["match"].as_object()["contextType"] = "github"; }).find("match") == 0);
    CHECK(changed([](boost::json::object& o) { o["requiredSecrets"] = boost::json::array{}; }).find("CIRCLECI_TOKEN") !=
          std::string::npos);
    CHECK(changed([](boost::json::object& o) { o.erase("requiredSecrets"); }).find("requiredSecrets") !=
          std::string::npos);
    // Extra secrets from the config are fine: the plugin may ask for more than the manifest.
    CHECK(changed([](boost::json::object& o) { o["requiredSecrets"].as_array().emplace_back("TEAM_TOKEN"); }) == "");
    CHECK_FALSE(tjhost::compare_with_description(m, boost::json::array{}).empty());
}

TEST_CASE("cacheKey: read, defaulted to the match paths, validated, compared with the plugin") {
    const auto m = tjhost::load_manifest(kRootManifest);
    // Every context path the plugin reads (plugin/src/mapping/context.cpp): a branch or a
    // service that differs must not share a cached answer.
    for (const char* p : {"type", "url", "page.repository", "page.section.name", "page.section.hash",
                          "page.section.pull", "repository", "service", "env", "team", "tags"}) {
        CAPTURE(p);
        CHECK(std::find(m.cache_key.begin(), m.cache_key.end(), p) != m.cache_key.end());
    }
    std::string path;
    const auto error = load_error(
        "name: circleci\nmatch:\n  contextType: github\nabi: {major: 1, minor: 0}\ncacheKey:\n  - page..repository\n",
        &path);
    CHECK(error.find(path + ":6:5: cacheKey: expected a dotted context path") == 0);
    CHECK(load_error("name: circleci\nmatch:\n  contextType: github\nabi: {major: 1, minor: 0}\ncacheKey: url\n", &path)
              .find("cacheKey: expected a list") != std::string::npos);

    tjhost::Plugin plugin(TJC_PLUGIN_PATH);
    auto d = describe(plugin);
    d.as_object()["cacheKey"] = boost::json::array{"page.repository"};
    CHECK(tjhost::compare_with_description(m, d).find("cacheKey") == 0);
}

TEST_CASE("cacheKey defaults to the paths under match.context") {
    const auto dir = std::filesystem::temp_directory_path() / ("tjc_manifest_key_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = (dir / "manifest.yaml").string();
    std::ofstream(file)
        << "name: keyless\nmatch:\n  contextType: github\n  context:\n    page.repository:\n      exists: true\n"
           "    page.section.hash:\n      exists: true\nabi: {major: 1, minor: 0}\n";
    const auto m = tjhost::load_manifest(file);
    CHECK(m.cache_key == std::vector<std::string>{"page.repository", "page.section.hash"});
    std::filesystem::remove_all(dir);
}
