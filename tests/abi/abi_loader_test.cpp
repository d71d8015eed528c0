// A host must refuse a broken plugin with a message that names the problem. Each fixture
// plugin (tests/fixtures/plugins/*.c) breaks one rule; tj-host (run as a subprocess, as a user
// would) and the C++ loader it is built on (tjhost::Plugin) must both refuse it clearly.
// Also: the real plugin exports its entry and nothing else.
#include <doctest/doctest.h>

#include "loader.hpp"
#include "session.hpp"
#include "subprocess.hpp"
#include "text.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using tjtest::contains;

namespace {

using tjtest::run_process;

// What failing_create.c puts into create()'s out_error.
constexpr const char* kFixtureCreateError =
    "fixture.yaml:3:5: error: timeouts.query_ms: value -5 is out of range [1, 120000]";

std::string load_error(const std::string& path) {
    try {
        tjhost::Plugin plugin(path);
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

}  // namespace

TEST_CASE("tj-host refuses a plugin built for another ABI major") {
    const auto r = run_process({TJ_HOST_PATH, "describe", "--plugin", FIXTURE_WRONG_MAJOR});
    CHECK(r.exit_code == 1);
    INFO("stderr: " << r.err);
    CHECK(contains(r.err, FIXTURE_WRONG_MAJOR));
    CHECK(contains(r.err, "speaks ABI 99.0"));
    CHECK(contains(r.err, "major versions differ"));
    CHECK(r.out.empty());
}

TEST_CASE("the C++ loader throws for another ABI major") {
    const auto message = load_error(FIXTURE_WRONG_MAJOR);
    INFO("message: " << message);
    CHECK(contains(message, "speaks ABI 99.0"));
    CHECK(contains(message, "this host speaks 1."));
    CHECK(contains(message, "major versions differ"));
}

TEST_CASE("tj-host refuses a library without the entry symbol") {
    const auto r = run_process({TJ_HOST_PATH, "describe", "--plugin", FIXTURE_NO_ENTRY});
    CHECK(r.exit_code == 1);
    INFO("stderr: " << r.err);
    CHECK(contains(r.err, FIXTURE_NO_ENTRY));
    CHECK(contains(r.err, "does not export tooljump_plugin_entry"));
    CHECK(r.out.empty());
}

TEST_CASE("the C++ loader throws for a library without the entry symbol") {
    const auto message = load_error(FIXTURE_NO_ENTRY);
    INFO("message: " << message);
    CHECK(contains(message, "does not export tooljump_plugin_entry"));
    CHECK(contains(message, "not a ToolJump native plugin"));
}

TEST_CASE("tj-host refuses a plugin whose init refuses the host") {
    const auto r = run_process({TJ_HOST_PATH, "describe", "--plugin", FIXTURE_REFUSES_HOST});
    CHECK(r.exit_code == 1);
    INFO("stderr: " << r.err);
    CHECK(contains(r.err, "refused this host in init()"));
    CHECK(contains(r.err, "status 7"));  // TJ_STATUS_UNSUPPORTED
}

TEST_CASE("the C++ loader throws when init refuses the host") {
    const auto message = load_error(FIXTURE_REFUSES_HOST);
    INFO("message: " << message);
    CHECK(contains(message, FIXTURE_REFUSES_HOST));
    CHECK(contains(message, "refused this host in init() (status 7)"));
}

TEST_CASE("tj-host describes the failing-create fixture: it is well formed up to create") {
    const auto r =
        run_process({TJ_HOST_PATH, "describe", "--plugin", FIXTURE_FAILING_CREATE, "--manifest", FIXTURE_MANIFEST});
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto d = boost::json::parse(r.out);
    CHECK(d.at("name") == "fixture-failing-create");
    CHECK(d.at("abi").at("major") == 1);
}

TEST_CASE("tj-host reports the plugin's own message when create fails") {
    for (const char* command : {"resolve", "query"}) {
        CAPTURE(command);
        const auto r = run_process({TJ_HOST_PATH, command, "--plugin", FIXTURE_FAILING_CREATE, "--manifest",
                                    FIXTURE_MANIFEST, "--repo", "acme/webshop"});
        INFO("stderr: " << r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "the plugin rejected its config"));
        CHECK(contains(r.err, kFixtureCreateError));
        CHECK(r.out.empty());
    }
}

TEST_CASE("through the C++ loader, a failing create returns BAD_CONFIG, its message and no instance") {
    tjhost::Plugin plugin(FIXTURE_FAILING_CREATE);
    tj_host_callbacks cb{};
    const std::string yaml = "timeouts: {query_ms: -5}";
    tj_config_source source{{yaml.data(), yaml.size()}, {nullptr, 0}};
    auto* sentinel = reinterpret_cast<tj_instance*>(&cb);
    tj_instance* instance = sentinel;
    tj_plugin_owned_str error{};
    CHECK(plugin.api().create(&cb, &source, &instance, &error) == TJ_STATUS_BAD_CONFIG);
    CHECK(instance == nullptr);
    CHECK(plugin.take(error) == kFixtureCreateError);
    CHECK(error.ptr_plugin_owned == nullptr);
}

TEST_CASE("tj-host and the C++ loader refuse a path that is not a shared library") {
    const std::string missing = "/nonexistent/libnothing.so";
    const auto r = run_process({TJ_HOST_PATH, "describe", "--plugin", missing});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "cannot load plugin " + missing));
    CHECK(contains(load_error(missing), "cannot load plugin " + missing));
    // A readable file that is not ELF.
    CHECK(contains(load_error(FIXTURE_MANIFEST), "cannot load plugin"));
}

TEST_CASE("the real plugin loads through the C++ loader and speaks this host's ABI") {
    tjhost::Plugin plugin(TJC_PLUGIN_PATH);
    CHECK(plugin.entry().abi_version.major == TJ_ABI_VERSION_MAJOR);
    CHECK(plugin.entry().abi_version.minor == TJ_ABI_VERSION_MINOR);
    CHECK(static_cast<bool>(plugin.api().describe));
    CHECK(static_cast<bool>(plugin.api().release_str));
    REQUIRE(plugin.stats_api() != nullptr);  // since 1.1
    CHECK(static_cast<bool>(plugin.stats_api()->stats));
}

TEST_CASE("the plugin's only defined dynamic symbol is tooljump_plugin_entry") {
    const std::string command = std::string(TJC_NM) + " -D --defined-only '" + TJC_PLUGIN_PATH + "' 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buf[4096];
    while (auto n = std::fread(buf, 1, sizeof buf, pipe)) {
        output.append(buf, n);
    }
    const int status = pclose(pipe);
    INFO("nm output:\n" << output);
    REQUIRE(status == 0);
    std::set<std::string> symbols;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream fields(line);
        std::vector<std::string> f;
        for (std::string w; fields >> w;) {
            f.push_back(w);
        }
        if (f.empty()) {
            continue;
        }
        // "<address> <type> <name>"; the name may carry a version suffix.
        auto name = f.back();
        if (const auto at = name.find('@'); at != std::string::npos) {
            name.resize(at);
        }
        symbols.insert(name);
    }
    CHECK(symbols == std::set<std::string>{"tooljump_plugin_entry"});
}

TEST_CASE(
    "a host of ABI 1.2 loads plugins of 1.0 and 1.1 (no events api, queries answer) and the real plugin has the events "
    "api") {
    for (const char* path : {FIXTURE_STATIC_CARDS, FIXTURE_ANY_PAGE}) {
        CAPTURE(path);
        tjhost::Plugin plugin(path);
        CHECK(plugin.entry().abi_version.minor < 2);
        CHECK(plugin.events_api() == nullptr);
        CHECK(plugin.stats_api() == nullptr);
        // A session lends them the 1.2 callbacks (with get_extension): they never read it.
        std::vector<std::string> purged;
        tjhost::SessionHooks hooks;
        hooks.invalidate = [&](const std::string&, std::string_view tag) { purged.emplace_back(tag); };
        tjhost::Session session(path, "", "", hooks);
        const auto answer = session.instance->query(R"({"type":"github","url":"https://github.com/a/b"})", 1000);
        CHECK(answer.ok());
        CHECK(contains(answer.payload, "Static A"));
        CHECK(session.instance->notify(R"({"source":"circleci","type":"x","id":"1","payload":{}})") ==
              TJ_STATUS_UNSUPPORTED);
        CHECK(purged.empty());
    }
    tjhost::Plugin real(TJC_PLUGIN_PATH);
    CHECK(real.entry().abi_version.minor == TJ_ABI_VERSION_MINOR);
    CHECK(real.events_api() != nullptr);
    CHECK(real.stats_api() != nullptr);
}
