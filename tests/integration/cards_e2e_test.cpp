// The built plugin through its C ABI against the CircleCI test server on loopback: the cards
// of each scenario, ToolJump's schema for every result, single flight, stale-while-revalidate,
// stale-on-error, reuse of finished pipelines, and one clear card per failure. Pages are
// contexts of the shape ToolJump's extension sends (docs/tooljump-contract.md section 1).
#include "loader.hpp"
#include "test_server.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

#include <unistd.h>

using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr const char* kToken = "test-token";

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        n += (c & 0xC0) != 0x80;
    }
    return n;
}

// ToolJump's result schema (docs/tooljump-contract.md section 2), checked on every result the suite sees.
void check_schema(const json::value& results) {
    REQUIRE(results.is_array());
    for (const auto& r : results.as_array()) {
        REQUIRE(r.is_object());
        const auto& o = r.as_object();
        const auto type = std::string(o.at("type").as_string());
        CHECK((type == "text" || type == "link" || type == "dropdown"));
        CHECK_FALSE(o.at("content").as_string().empty());
        if (const auto* s = o.if_contains("status")) {
            const auto st = std::string(s->as_string());
            CHECK((st == "important" || st == "relevant" || st == "success" || st == "none"));
        }
        if (const auto* t = o.if_contains("tooltip")) {
            CHECK(code_points(t->as_string()) >= 1);
            CHECK(code_points(t->as_string()) <= 500);
        }
        if (type == "link") {
            CHECK(o.at("href").as_string().starts_with("http"));
        }
        if (type == "dropdown") {
            REQUIRE_FALSE(o.at("items").as_array().empty());
            for (const auto& i : o.at("items").as_array()) {
                CHECK_FALSE(i.at("content").as_string().empty());
                CHECK(i.at("href").as_string().starts_with("http"));
                if (const auto* t = i.as_object().if_contains("tooltip")) {
                    CHECK(code_points(t->as_string()) <= 500);
                }
            }
        }
    }
}

struct Host {
    std::mutex mutex;
    std::vector<std::string> logs;
    std::string token = kToken;

    static void log(void* self, tj_log_level, tj_str_view m) {
        auto* h = static_cast<Host*>(self);
        std::lock_guard lock(h->mutex);
        h->logs.emplace_back(m.ptr, m.len);
    }
    static tj_status secret(void* self, tj_str_view name, tj_secret_sink sink, void* data) {
        auto* h = static_cast<Host*>(self);
        if (std::string_view(name.ptr, name.len) != "CIRCLECI_TOKEN" || h->token.empty()) {
            return TJ_STATUS_NO_MATCH;
        }
        sink(data, {h->token.data(), h->token.size()});
        return TJ_STATUS_OK;
    }
};

// One plugin instance configured for the test server.
struct Fixture {
    tjc::testing::TestServer server;
    tjhost::Plugin plugin{TJC_PLUGIN_PATH};
    Host host;
    tj_instance* instance = nullptr;
    std::string yaml;  // the config it was created with

    explicit Fixture(const std::string& extra_yaml = "",
                     tjc::testing::TestServerOptions options = {TJC_FIXTURES_DIR "/world.json"})
        : server(std::move(options)) {
        yaml =
            "circleci:\n  api_url: " + server.base_url() + "\ntls:\n  ca_file: " + server.ca_file() + "\n" + extra_yaml;
        tj_host_callbacks cb{&host, Host::log, Host::secret, nullptr};
        tj_config_source src{{yaml.data(), yaml.size()}, {nullptr, 0}};
        tj_plugin_owned_str err{};
        const auto st = plugin.api().create(&cb, &src, &instance, &err);
        INFO(plugin.take(err));
        REQUIRE(st == TJ_STATUS_OK);
    }
    ~Fixture() { plugin.api().destroy(instance); }

    json::value query(const std::string& context, std::uint32_t timeout_ms = 0) {
        tj_plugin_owned_str out{};
        const auto st = plugin.api().query(instance, {context.data(), context.size()}, timeout_ms, &out);
        const auto body = plugin.take(out);
        INFO(body);
        REQUIRE(st == TJ_STATUS_OK);
        auto v = json::parse(body);
        check_schema(v);
        CHECK(body.find(kToken) == std::string::npos);
        return v;
    }
    // A repository's front page: the extension always sends hash "main" there (a placeholder).
    json::value repo(const std::string& org_repo, const std::string& service = "") {
        auto ctx = page(org_repo, "", {{"name", "code"}, {"resource", ""}, {"hash", "main"}});
        if (!service.empty()) {
            ctx["service"] = {{"name", service}};
        }
        return query(json::serialize(ctx));
    }
    // /tree/<branch>: the extension cuts the branch at its first '/' into hash and resource.
    json::value tree(const std::string& org_repo, const std::string& branch) {
        const auto slash = branch.find('/');
        return query(json::serialize(page(org_repo, "/tree/" + branch,
                                          {{"name", "code"},
                                           {"resource", slash == std::string::npos ? "" : branch.substr(slash + 1)},
                                           {"hash", branch.substr(0, slash)}})));
    }
    json::value commit(const std::string& org_repo, const std::string& sha) {
        return query(
            json::serialize(page(org_repo, "/commit/" + sha, {{"name", "commit"}, {"resource", ""}, {"hash", sha}})));
    }
    json::value pull(const std::string& org_repo, const std::string& number) {
        return query(json::serialize(
            page(org_repo, "/pull/" + number, {{"name", "pulls"}, {"pull", number}, {"subsection", "conversation"}})));
    }
    static json::object page(const std::string& org_repo, const std::string& tail, json::object section) {
        return {{"type", "github"},
                {"url", "https://github.com/" + org_repo + tail},
                {"page", {{"name", "repository"}, {"repository", org_repo}, {"section", std::move(section)}}}};
    }
    // TJ_PLUGIN_STATS_V1's JSON; REQUIREs the api.
    json::value stats() {
        REQUIRE(plugin.stats_api() != nullptr);
        tj_plugin_owned_str out{};
        const auto st = plugin.stats_api()->stats(instance, &out);
        const auto body = plugin.take(out);
        INFO(body);
        REQUIRE(st == TJ_STATUS_OK);
        return json::parse(body);
    }
    bool logs_clean() {
        std::lock_guard lock(host.mutex);
        for (const auto& l : host.logs) {
            if (l.find(kToken) != std::string::npos) {
                return false;
            }
        }
        return true;
    }
};

const json::object* card(const json::value& results, std::string_view content_prefix) {
    for (const auto& r : results.as_array()) {
        if (r.at("content").as_string().starts_with(content_prefix)) {
            return &r.as_object();
        }
    }
    return nullptr;
}

std::string contents(const json::value& results) {
    std::string out;
    for (const auto& r : results.as_array()) {
        out += std::string(r.at("content").as_string()) + " | ";
    }
    return out;
}

}  // namespace

TEST_CASE("scenarios: the status card of each repo says what CircleCI says") {
    Fixture f;
    struct Row {
        const char* repo;
        const char* content;
        const char* status;
    } rows[] = {
        {"acme/passing", "CircleCI main: passed", "success"},
        {"acme/failing", "CircleCI main: failing for 3 pipelines", "important"},
        {"acme/running", "CircleCI main: running", "relevant"},
        {"acme/on-hold", "CircleCI main: on hold", "relevant"},
        // The front page's hash "main" is a placeholder: the default branch CircleCI reports.
        {"acme/develop-default", "CircleCI develop: ", nullptr},
    };
    for (const auto& row : rows) {
        CAPTURE(row.repo);
        auto r = f.repo(row.repo);
        INFO(contents(r));
        const auto* c = card(r, row.content);
        REQUIRE(c);
        if (row.status) {
            CHECK(c->at("status").as_string() == row.status);
        }
        CHECK(c->at("href").as_string().starts_with("https://app.circleci.com/pipelines/github/" +
                                                    std::string(row.repo) + "/"));
    }
    auto empty = f.repo("acme/empty");
    CHECK(card(empty, "CircleCI main: no pipelines"));
    CHECK_FALSE(card(empty, "Recent pipelines"));
    auto hold = f.repo("acme/on-hold");
    CHECK(card(hold, "Waiting for approval: "));
    auto deploys = f.repo("acme/deploys");
    INFO(contents(deploys));
    CHECK(card(deploys, "Deploys: "));
    CHECK(f.logs_clean());
}

TEST_CASE("a non-default branch, a commit page, and bb/circleci slugs from mapping rules") {
    Fixture f(
        "mapping:\n"
        "  rules:\n"
        "    - repo: acme/legacy\n"
        "      project: bb/acme/legacy\n"
        "    - repo: acme/payments-api\n"
        "      project: circleci/8e2b0c1a-org/5f4d3c2b-proj\n");
    // A hex-looking branch on a code page is a branch (issue 13 item 3).
    auto hex = f.tree("acme/branches", "2024011");
    INFO(contents(hex));
    const auto* hex_status = card(hex, "CircleCI 2024011: passed");
    REQUIRE(hex_status);
    CHECK(card(hex, "Recent pipelines (2024011)"));
    CHECK_FALSE(card(hex, "CircleCI 2024011: no pipeline"));

    // A commit of the passing repo, from the world.
    std::ifstream in(TJC_FIXTURES_DIR "/world.json");
    std::stringstream ss;
    ss << in.rdbuf();
    const auto world = json::parse(ss.str());
    const std::string sha(
        world.at("projects").at("gh/acme/passing").at("pipelines").as_array()[1].at("vcs").at("revision").as_string());
    auto commit = f.commit("acme/passing", sha);
    INFO(contents(commit));
    CHECK(card(commit, "CircleCI " + sha.substr(0, 7) + ": passed"));

    auto bb = f.repo("acme/legacy");
    INFO(contents(bb));
    const auto* bb_status = card(bb, "CircleCI master: ");
    REQUIRE(bb_status);
    CHECK(bb_status->at("href").as_string().starts_with("https://app.circleci.com/pipelines/bitbucket/acme/legacy/"));
    auto app = f.repo("acme/payments-api");
    INFO(contents(app));
    const auto* app_status = card(app, "CircleCI main: ");
    REQUIRE(app_status);
    CHECK(app_status->at("href").as_string().starts_with(
        "https://app.circleci.com/pipelines/circleci/8e2b0c1a-org/5f4d3c2b-proj/"));
}

TEST_CASE("monorepo: a service's rule shows only its workflows") {
    Fixture f(
        "mapping:\n"
        "  rules:\n"
        "    - repo: acme/monorepo\n"
        "      project: gh/acme/monorepo\n"
        "      filters:\n"
        "        workflows: ['*-{service}*']\n");
    auto r = f.repo("acme/monorepo", "checkout");
    INFO(contents(r));
    const auto* recent = card(r, "Recent pipelines");
    REQUIRE(recent);
    const auto* status = card(r, "CircleCI main: ");
    REQUIRE(status);
    CHECK(status->at("tooltip").as_string().find("webshop") == std::string::npos);
}

TEST_CASE("single flight: 100 concurrent queries of one repo cost one set of upstream requests") {
    std::size_t one = 0;
    {
        Fixture f;
        f.repo("acme/passing");
        one = f.server.requests();
    }
    Fixture f;
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 100; ++i) {
        threads.emplace_back([&] {
            const std::string ctx =
                R"({"type":"github","url":"https://github.com/acme/passing","page":{"repository":"acme/passing"}})";
            tj_plugin_owned_str out{};
            if (f.plugin.api().query(f.instance, {ctx.data(), ctx.size()}, 0, &out) == TJ_STATUS_OK &&
                std::string_view(out.ptr_plugin_owned, out.len).find("CircleCI main: passed") !=
                    std::string_view::npos) {
                ++ok;
            }
            f.plugin.api().release_str(&out);
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(ok == 100);
    CHECK(one > 0);
    CHECK(f.server.requests() == one);
}

TEST_CASE("stale-while-revalidate, and a refresh of an unchanged repo costs one request") {
    Fixture f("cache:\n  ttl_s: 1\n");
    f.repo("acme/passing");
    const auto cold = f.server.requests();
    std::this_thread::sleep_for(1100ms);
    f.server.reset_counters();
    auto stale = f.repo("acme/passing");
    INFO(contents(stale));
    CHECK(card(stale, "CircleCI: refreshing"));
    CHECK(card(stale, "CircleCI main: passed"));
    // The refresh runs behind; once it is in, the cards are fresh again.
    json::value fresh;
    for (int i = 0; i < 100; ++i) {
        fresh = f.repo("acme/passing");
        if (!card(fresh, "CircleCI: refreshing")) {
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    CHECK_FALSE(card(fresh, "CircleCI: refreshing"));
    // Project, insights and finished pipelines' workflows were kept: only the first page of
    // pipelines was asked again.
    CHECK(f.server.requests() == 1);
    CHECK(cold > 1);
}

TEST_CASE("stale-on-error: a failing refresh serves the last good cards with a note, and never poisons the cache") {
    Fixture f("cache:\n  ttl_s: 1\n  max_stale_s: 1\n");
    f.repo("acme/passing");
    std::this_thread::sleep_for(2100ms);
    f.server.set_fault({tjc::testing::FaultKind::rate_limit, "", -1, 0ms, 0, 1});
    auto r = f.repo("acme/passing");
    INFO(contents(r));
    CHECK(card(r, "CircleCI: rate-limited, cards from "));
    CHECK(card(r, "CircleCI main: passed"));
    f.server.clear_faults();
    std::this_thread::sleep_for(1100ms);  // past the throttle the 429 asked for
    auto healed = f.repo("acme/passing");
    INFO(contents(healed));
    CHECK(card(healed, "CircleCI main: passed"));
    CHECK(f.logs_clean());
}

TEST_CASE("one clear card per failure, never a token") {
    SUBCASE("project not found under a rule names the slug and the rule's name, never the config's path") {
        Fixture f(
            "mapping:\n  rules:\n    - name: webshop\n      repo: acme/webshop\n      project: gh/acme/webshop-typo\n");
        auto r = f.repo("acme/webshop");
        const auto* c = card(r, "CircleCI: project not found");
        REQUIRE(c);
        CHECK(c->at("status") == "important");
        CHECK(c->at("tooltip").as_string().find("gh/acme/webshop-typo") != std::string::npos);
        CHECK(c->at("tooltip").as_string().find("rule 'webshop'") != std::string::npos);
        CHECK(json::serialize(r).find("<inline>") == std::string::npos);  // where the config came from
    }
    SUBCASE("a repo without a CircleCI project under the convention: one neutral card, never red") {
        Fixture f;
        auto r = f.repo("acme/nope");
        INFO(contents(r));
        REQUIRE(r.as_array().size() == 1);
        const auto* c = card(r, "CircleCI: no project");
        REQUIRE(c);
        CHECK(c->if_contains("status") == nullptr);  // no colour: "none" is left out
        CHECK(c->at("tooltip").as_string().find("gh/acme/nope") != std::string::npos);
        CHECK(c->at("tooltip").as_string().find("the github.com convention") != std::string::npos);
    }
    SUBCASE("no token") {
        Fixture f;
        f.host.token.clear();
        auto r = f.repo("acme/passing");
        CHECK(card(r, "CircleCI: no API token"));
        CHECK(f.server.requests() == 0);
    }
    SUBCASE("token rejected explains personal tokens") {
        Fixture f;
        f.host.token = "project-token-of-someone";
        auto r = f.repo("acme/passing");
        const auto* c = card(r, "CircleCI: token rejected");
        REQUIRE(c);
        CHECK(c->at("tooltip").as_string().find("personal API tokens") != std::string::npos);
        CHECK(json::serialize(r).find("project-token-of-someone") == std::string::npos);
    }
    SUBCASE("a stalled CircleCI gives a timeout card within the deadline") {
        Fixture f;
        f.server.set_fault({tjc::testing::FaultKind::stall, "", -1, 0ms, 0, 0});
        const auto start = std::chrono::steady_clock::now();
        const std::string ctx =
            R"({"type":"github","url":"https://github.com/acme/passing","page":{"repository":"acme/passing"}})";
        auto r = f.query(ctx, 800);
        CHECK(std::chrono::steady_clock::now() - start < 5s);  // a safety net, not a timing assertion
        INFO(contents(r));
        CHECK(r.as_array().size() == 1);
        CHECK(card(r, "CircleCI: timed out"));
    }
    SUBCASE("CircleCI unreachable") {
        Fixture f;
        f.server.set_fault({tjc::testing::FaultKind::refuse_connections, "", -1, 0ms, 0, 0});
        auto r = f.repo("acme/passing");
        INFO(contents(r));
        CHECK(card(r, "CircleCI: CircleCI unreachable"));
    }
}

namespace {

std::uint64_t num(const json::value& v, std::initializer_list<std::string_view> path) {
    const json::value* at = &v;
    for (auto key : path) {
        const auto* next = at->as_object().if_contains(key);
        if (!next) {
            return 0;  // a status never seen is not listed
        }
        at = next;
    }
    return at->to_number<std::uint64_t>();
}

}  // namespace

TEST_CASE("stats api: queries, cache answers and upstream statuses, counted across a reload") {
    Fixture f("http:\n  max_retries: 0\n");
    auto s = f.stats();
    CHECK(num(s, {"queries"}) == 0);
    CHECK(num(s, {"cache", "misses"}) == 0);
    CHECK(s.at("upstream").at("requests").as_object().empty());

    f.repo("acme/passing");  // cold
    s = f.stats();
    INFO(json::serialize(s));
    CHECK(num(s, {"queries"}) == 1);
    CHECK(num(s, {"cache", "misses"}) == 1);
    CHECK(num(s, {"cache", "hits"}) == 0);
    const auto ok_cold = num(s, {"upstream", "requests", "200"});
    CHECK(ok_cold > 0);
    CHECK(ok_cold == f.server.requests());  // one count per request the server read
    // Per secret name (never a value): the token's use, so a revoked one shows.
    CHECK(num(s, {"secrets", "CIRCLECI_TOKEN", "requests"}) == ok_cold);
    CHECK(num(s, {"secrets", "CIRCLECI_TOKEN", "unauthorized"}) == 0);

    f.repo("acme/passing");  // warm: no request
    s = f.stats();
    CHECK(num(s, {"queries"}) == 2);
    CHECK(num(s, {"cache", "hits"}) == 1);
    CHECK(num(s, {"cache", "misses"}) == 1);
    CHECK(num(s, {"upstream", "requests", "200"}) == ok_cold);

    f.server.set_fault({tjc::testing::FaultKind::not_found, "", -1, 0ms, 0, 0});
    f.repo("acme/failing");
    f.server.clear_faults();
    s = f.stats();
    CHECK(num(s, {"cache", "misses"}) == 2);
    CHECK(num(s, {"upstream", "requests", "404"}) >= 1);
    CHECK(num(s, {"upstream", "transport_errors"}) == 0);

    // A reload makes a new runtime (and new cache keys); the counters go on.
    tj_config_source src{{f.yaml.data(), f.yaml.size()}, {nullptr, 0}};
    tj_plugin_owned_str err{};
    REQUIRE(f.plugin.api().reload(f.instance, &src, &err) == TJ_STATUS_OK);
    f.plugin.take(err);
    CHECK(num(f.stats(), {"queries"}) == 3);
    f.repo("acme/passing");
    s = f.stats();
    CHECK(num(s, {"queries"}) == 4);
    CHECK(num(s, {"cache", "misses"}) == 3);
    CHECK(num(s, {"upstream", "requests", "200"}) > ok_cold);

    f.server.set_fault({tjc::testing::FaultKind::unauthorized, "", -1, 0ms, 0, 0});
    f.repo("acme/on-hold");
    f.server.clear_faults();
    s = f.stats();
    CHECK(num(s, {"secrets", "CIRCLECI_TOKEN", "unauthorized"}) >= 1);
    CHECK(num(s, {"secrets", "CIRCLECI_TOKEN", "unauthorized"}) == num(s, {"upstream", "requests", "401"}));

    f.server.set_fault({tjc::testing::FaultKind::refuse_connections, "", -1, 0ms, 0, 0});
    f.repo("acme/running");
    CHECK(num(f.stats(), {"upstream", "transport_errors"}) >= 1);

    tj_plugin_owned_str out{};
    CHECK(f.plugin.stats_api()->stats(nullptr, &out) == TJ_STATUS_INVALID_ARGUMENT);
    f.plugin.take(out);
    CHECK(f.plugin.stats_api()->stats(f.instance, nullptr) == TJ_STATUS_INVALID_ARGUMENT);
}

// ---------------------------------------------------------------------------------------------
// Issue 13: the pages the real extension sends.

TEST_CASE("a branch with '/': never the cut name, and never an unlabelled default branch") {
    Fixture f;
    // The extension sends hash "release", resource "2.1/src/app.py": the plan asks each
    // candidate (release/2.1/src/app.py, release/2.1/src, release/2.1, release) in one round
    // trip and shows the longest CircleCI knows.
    f.server.reset_counters();
    auto r = f.tree("acme/branches", "release/2.1/src/app.py");
    INFO(contents(r));
    CHECK_FALSE(card(r, "CircleCI release:"));
    CHECK_FALSE(card(r, "CircleCI release "));
    const auto* own = card(r, "CircleCI release/2.1: passed");
    REQUIRE(own);
    CHECK(own->at("tooltip").as_string().find("on release/2.1") != std::string::npos);
    CHECK(card(r, "Recent pipelines (release/2.1)"));
    // A branch CircleCI has no pipelines of: the default branch, labelled, the reason in the tooltip.
    auto unknown = f.tree("acme/passing", "feature/login");
    const auto* status = card(unknown, "CircleCI main (default branch): passed");
    REQUIRE(status);
    CHECK(status->at("tooltip").as_string().find("(feature/login)") != std::string::npos);
}

TEST_CASE("a PR page: the PR's own pipelines where CircleCI proves them (vcs.review_id), first") {
    // acme/passing's newest pipeline, made a build of PR #42 (as CircleCI reports one).
    std::ifstream in(TJC_FIXTURES_DIR "/world.json", std::ios::binary);
    auto world = json::parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
    auto& pipelines = world.at("projects").at("gh/acme/passing").at("pipelines").as_array();
    auto& vcs = pipelines[1].at("vcs").as_object();
    vcs["branch"] = "feature/cart";
    vcs["review_id"] = "42";
    vcs["review_url"] = "https://github.com/acme/passing/pull/42";
    const auto path = "/tmp/tjc_world_pr_" + std::to_string(::getpid()) + ".json";
    std::ofstream(path, std::ios::binary) << json::serialize(world);
    Fixture f("", tjc::testing::TestServerOptions{path});
    auto r = f.pull("acme/passing", "42");
    INFO(contents(r));
    REQUIRE_FALSE(r.as_array().empty());
    const auto& first = r.as_array().front().as_object();
    CHECK(std::string(first.at("content").as_string()).starts_with("CircleCI PR #42: passed"));
    CHECK(first.at("tooltip").as_string().find("of PR #42 (feature/cart)") != std::string::npos);
    CHECK(card(r, "CircleCI main (default branch, PR #42): passed"));
    // Another PR: nothing proves its pipelines, so no PR card (never a guess by branch name).
    auto other = f.pull("acme/passing", "43");
    CHECK_FALSE(card(other, "CircleCI PR #"));
    std::remove(path.c_str());
}

TEST_CASE("a PR page shows the default branch, labelled with the PR") {
    Fixture f;
    auto r = f.pull("acme/passing", "42");
    INFO(contents(r));
    const auto* status = card(r, "CircleCI main (default branch, PR #42): passed");
    REQUIRE(status);
    CHECK(status->at("tooltip").as_string().find("not the pull request's own pipelines") != std::string::npos);
}

TEST_CASE("GitHub's own pages and pages naming nothing: [] at once, no request, no log line") {
    Fixture f;
    for (
        const char* ctx : {
            R"({"type":"github","url":"https://github.com/orgs/acme/repositories","page":{"name":"profile"}})",
            R"({"type":"github","url":"https://github.com/settings/profile"})",
            R"({"type":"github","url":"https://github.com/acme","page":{"name":"profile","username":"acme","isOrg":true}})",
            R"({"type":"generic","url":"https://news.example.com/article/1"})",
            R"({"type":"aws","url":"https://us-east-1.console.aws.amazon.com/s3/buckets/acme-logs","scope":{"region":"us-east-1"},)"
            R"("service":{"name":"s3","resourceName":"acme-logs"}})",
        }) {
        CAPTURE(ctx);
        CHECK(f.query(ctx).as_array().empty());
    }
    CHECK(f.server.requests() == 0);
    f.plugin.api().destroy(f.instance);  // delivers any log line still queued: there must be none
    f.instance = nullptr;
    std::lock_guard lock(f.host.mutex);
    CHECK(f.host.logs.empty());
}

TEST_CASE("mixed case finds the same project: CircleCI comparing slugs without case") {
    tjc::testing::TestServerOptions options{TJC_FIXTURES_DIR "/world.json"};
    options.slugs_ignore_case = true;
    Fixture f("", options);
    auto r = f.repo("Acme/Passing");
    INFO(contents(r));
    CHECK(card(r, "CircleCI main: passed"));
}

TEST_CASE("mixed case against a CircleCI comparing slugs exactly: the lower-case slug after its 404") {
    Fixture f;
    auto r = f.repo("Acme/Passing");
    INFO(contents(r));
    CHECK(card(r, "CircleCI main: passed"));
    const auto* links = card(r, "CircleCI: gh/acme/passing");  // the slug that answered
    CHECK(links);
    // The 404 of the page's spelling is remembered: the next view asks for it no more.
    const auto asked = f.server.requests("/api/v2/project/gh/Acme/Passing");
    CHECK(asked >= 1);
    (void)f.repo("Acme/Passing", "another-key");
    CHECK(f.server.requests("/api/v2/project/gh/Acme/Passing") == asked);
}

TEST_CASE("a repo without a CircleCI project under a convention: the neutral card, then no request per view") {
    Fixture f;
    auto first = f.repo("acme/no-ci-here");
    INFO(contents(first));
    REQUIRE(first.as_array().size() == 1);
    CHECK(card(first, "CircleCI: no project"));
    const auto asked = f.server.requests();
    CHECK(asked >= 1);
    for (int i = 0; i < 5; ++i) {
        auto again = f.repo("acme/no-ci-here", "view-" + std::to_string(i));  // other cache keys too
        CHECK(card(again, "CircleCI: no project"));
        CHECK_FALSE(card(again, "CircleCI: refreshing"));
    }
    CHECK(f.server.requests() == asked);
    f.plugin.api().destroy(f.instance);  // delivers the log lines still queued for the host
    f.instance = nullptr;
    std::lock_guard lock(f.host.mutex);
    const auto said = std::count_if(f.host.logs.begin(), f.host.logs.end(), [](const std::string& l) {
        return l.find("no CircleCI project gh/acme/no-ci-here") != std::string::npos;
    });
    CHECK(said == 1);  // logged once, not per view
}

TEST_CASE("an errored pipeline says why") {
    Fixture f;
    auto r = f.repo("acme/errored");
    INFO(contents(r));
    const auto* status = card(r, "CircleCI main: errored");
    REQUIRE(status);
    CHECK(status->at("tooltip").as_string().find("Error (config): Config does not conform to schema") !=
          std::string::npos);
    const auto* recent = card(r, "Recent pipelines (main)");
    REQUIRE(recent);
    CHECK(recent->at("items").as_array()[1].at("tooltip").as_string().find("Triggered by release-bot") !=
          std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Issue 14: tags across tools.

namespace {

const char* kTagsConfig =
    "mapping:\n"
    "  resource_names: [\"{service}-{env}\", \"{service}\"]\n"
    "  service_project: \"gh/acme/{service}\"\n"
    "  rules:\n"
    "    - name: grafana dashboards\n"
    "      url_pattern: \"https://grafana.acme.io/d/*/{service}\"\n"
    "      project: gh/acme/{service}\n"
    "      team: storefront\n"
    "links:\n"
    "  - {name: Runbook, url: \"https://runbooks.acme.io/{service}/{env}\", icon: book}\n"
    "  - {name: On call, url: \"https://oncall.acme.io/teams/{team}\"}\n";

std::string lambda(const std::string& function, const std::string& extra = "") {
    return R"({"type":"aws","url":"https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/)" +
           function +
           R"(?tab=code","scope":{"region":"eu-west-1"},"global":{"accountId":"123456789012"},)"
           R"("service":{"name":"lambda","section":"functions","resourceName":")" +
           function + R"(","arn":"arn:aws:lambda:eu-west-1:123456789012:function:)" + function + R"("})" + extra + "}";
}

}  // namespace

TEST_CASE("an AWS Lambda page without tags: the function's name through resource_names") {
    Fixture f(kTagsConfig);
    auto r = f.query(lambda("webshop-prod"));
    INFO(contents(r));
    const auto* status = card(r, "CircleCI main: ");
    REQUIRE(status);
    CHECK(status->at("href").as_string().starts_with("https://app.circleci.com/pipelines/github/acme/webshop/"));
    CHECK(card(r, "Deploys: "));
    const auto* links = card(r, "Links");
    REQUIRE(links);
    REQUIRE(links->at("items").as_array().size() == 1);  // no team: the on-call link is left out
    CHECK(links->at("items").as_array()[0].at("href") == "https://runbooks.acme.io/webshop/prod");
    // "lambda" is the AWS service, never a service tag: without resource_names nothing maps.
    Fixture plain;
    CHECK(plain.query(lambda("webshop-prod")).as_array().empty());
    CHECK(plain.server.requests() == 0);
}

TEST_CASE("an AWS Lambda page with tags: the tags beat the function's name") {
    Fixture f(kTagsConfig);
    auto r = f.query(lambda("orders-fn-7", R"(,"tags":["service:webshop","env:staging","team:payments"])"));
    INFO(contents(r));
    const auto* status = card(r, "CircleCI main: ");
    REQUIRE(status);
    CHECK(status->at("href").as_string().starts_with("https://app.circleci.com/pipelines/github/acme/webshop/"));
    CHECK(status->at("tooltip").as_string().find("Team: payments") != std::string::npos);
    const auto* links = card(r, "Links");
    REQUIRE(links);
    CHECK(links->at("items").as_array()[0].at("href") == "https://runbooks.acme.io/webshop/staging");
    CHECK(links->at("items").as_array()[1].at("href") == "https://oncall.acme.io/teams/payments");
}

TEST_CASE("a page of a service in an environment: what is deployed there comes first; the org's contexts") {
    Fixture f(kTagsConfig);
    auto r = f.query(lambda("orders-fn-7", R"(,"tags":["service:webshop","env:staging"])"));
    INFO(contents(r));
    REQUIRE_FALSE(r.as_array().empty());
    const auto& first = r.as_array().front().as_object();
    // #2059's deploy-webshop-staging: its commit, when, and the pipelines since.
    CHECK(std::string(first.at("content").as_string()).starts_with("CircleCI webshop staging: "));
    CHECK(first.at("status") == "success");
    CHECK(first.at("tooltip").as_string().find("deploy-webshop-staging in pipeline #2059") != std::string::npos);
    CHECK(card(r, "CircleCI main: "));  // then the default branch's status
    // The contexts named like svc-{service}-{env}: the organization's, linked to their settings.
    const auto* contexts = card(r, "Context: svc-webshop-staging");
    REQUIRE(contexts);
    // No deploy to that environment among the scanned pipelines: said, not invented.
    auto none = f.query(lambda("orders-fn-7", R"(,"tags":["service:webshop","env:qa"])"));
    INFO(contents(none));
    CHECK(std::string(none.as_array().front().at("content").as_string()) == "CircleCI webshop qa: no deploy found");
    // A repository's own page keeps the usual order: its status first.
    auto repo_page = f.repo("acme/webshop");
    CHECK(std::string(repo_page.as_array().front().at("content").as_string()).starts_with("CircleCI main: "));
}

TEST_CASE("a generic dashboard page: a url_pattern rule, its captures and its team") {
    Fixture f(kTagsConfig);
    auto r = f.query(R"({"type":"generic","url":"https://grafana.acme.io/d/8Hx2kq/webshop?orgId=1&var-env=prod"})");
    INFO(contents(r));
    const auto* status = card(r, "CircleCI main: ");
    REQUIRE(status);
    CHECK(status->at("href").as_string().starts_with("https://app.circleci.com/pipelines/github/acme/webshop/"));
    CHECK(status->at("tooltip").as_string().find("Team: storefront") != std::string::npos);
    const auto* project_links = card(r, "CircleCI: gh/acme/webshop");
    REQUIRE(project_links);
    CHECK(project_links->at("tooltip") == "CircleCI project gh/acme/webshop, mapped by rule 'grafana dashboards'");
}

TEST_CASE("a page with only a repository tag") {
    Fixture f;
    auto r =
        f.query(R"({"type":"generic","url":"https://acme.pagerduty.com/incidents/Q1","repository":"acme/passing"})");
    INFO(contents(r));
    CHECK(card(r, "CircleCI main: passed"));
    auto tagged = f.query(
        R"({"type":"generic","url":"https://acme.pagerduty.com/incidents/Q2","tags":{"Repository":"acme/failing"}})");
    CHECK(card(tagged, "CircleCI main: failing for 3 pipelines"));
}

// ---- the cold path (issue 15) ------------------------------------------------------------

namespace {

constexpr auto kLatency = 150ms;  // added to every answer: waves stand apart by that much

// A cold query with kLatency per answer: the dependent waves its requests came in, and how many.
struct ColdRun {
    json::value cards;
    std::size_t waves = 0;
    std::size_t requests = 0;
};
ColdRun cold_query(Fixture& f, const std::string& repo, const std::string& branch = "") {
    f.server.set_fault({tjc::testing::FaultKind::latency, "", -1, kLatency});
    f.server.reset_counters();
    ColdRun r;
    r.cards = branch.empty() ? f.repo(repo) : f.tree(repo, branch);
    const auto log = f.server.request_log();
    r.waves = tjc::testing::dependent_waves(log, kLatency);
    r.requests = log.size();
    std::string paths;
    for (const auto& e : log) {
        paths += "\n  " + e.path;
    }
    MESSAGE(repo << (branch.empty() ? "" : " @" + branch) << ": " << r.waves << " waves, " << r.requests
                 << " requests:" << paths);
    f.server.clear_faults();
    return r;
}

// world.json with the newest pipeline of acme/develop-default on a feature branch, so that the
// first unfiltered page (with a pipelines page size of 1) holds nothing of its default branch.
std::string world_with_feature_first() {
    std::ifstream in(TJC_FIXTURES_DIR "/world.json", std::ios::binary);
    auto world = json::parse(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
    auto& pipelines = world.at("projects").at("gh/acme/develop-default").at("pipelines").as_array();
    std::swap(pipelines[0], pipelines[1]);  // [feature/ledger-export, develop, develop, ...]
    const auto path = "/tmp/tjc_world_feature_first_" + std::to_string(::getpid()) + ".json";
    std::ofstream(path, std::ios::binary) << json::serialize(world);
    return path;
}

}  // namespace

TEST_CASE("cold: the default branch's cards take two dependent waves, and at most 25 requests") {
    Fixture f("http:\n  prewarm: false\n");
    // The default branch is "main": the first wave's guess was right.
    auto deploys = cold_query(f, "acme/deploys");
    INFO(contents(deploys.cards));
    CHECK(deploys.waves == 2);
    CHECK(deploys.requests <= 25);
    CHECK(card(deploys.cards, "CircleCI main: "));
    CHECK(card(deploys.cards, "Deploys: "));
    CHECK(card(deploys.cards, "Insights "));
    // "develop": found in the unfiltered first page asked for beside the guess.
    auto develop = cold_query(f, "acme/develop-default");
    INFO(contents(develop.cards));
    CHECK(develop.waves == 2);
    CHECK(card(develop.cards, "CircleCI develop: "));
    // Remembered now: another page of the same project (a branch) needs no project answer.
    auto branch = cold_query(f, "acme/deploys", "main");
    CHECK(branch.waves <= 2);
    CHECK(branch.requests < deploys.requests);  // no project, no insights of the default again
}

TEST_CASE("cold: a third wave only when the first page holds nothing of the default branch") {
    tjc::testing::TestServerOptions options{world_with_feature_first()};
    options.pipeline_page_size = 1;
    Fixture f("http:\n  prewarm: false\n", options);
    auto r = cold_query(f, "acme/develop-default");
    INFO(contents(r.cards));
    CHECK(r.waves == 3);
    // The status is develop's newest pipeline, not the feature branch's that came first.
    const auto* status = card(r.cards, "CircleCI develop: ");
    REQUIRE(status);
    CHECK(status->at("tooltip").as_string().find("#408 on develop") != std::string::npos);
    // Next time the name is known: two waves again (a new cache key: the service differs).
    f.server.set_fault({tjc::testing::FaultKind::latency, "", -1, kLatency});
    f.server.reset_counters();
    (void)f.repo("acme/develop-default", "svc");
    CHECK(tjc::testing::dependent_waves(f.server.request_log(), kLatency) <= 2);
    f.server.clear_faults();
    std::remove(options.world_path.c_str());
}

TEST_CASE("one failing sub-request fails its card, not the others: a pipeline's workflows 404") {
    Fixture f;
    // The newest pipeline of acme/failing: its workflows cannot be read; the others can.
    f.server.set_fault({tjc::testing::FaultKind::not_found, "/api/v2/pipeline/", 1});
    auto r = f.repo("acme/failing");
    INFO(contents(r));
    const auto* status = card(r, "CircleCI main: status unknown");
    REQUIRE(status);
    CHECK(status->at("tooltip").as_string().find("Its workflows could not be read (project not found") !=
          std::string::npos);
    CHECK(card(r, "Recent pipelines (main)"));
    CHECK(card(r, "Insights "));
    CHECK_FALSE(card(r, "CircleCI: project not found"));
    // A 404 for one pipeline is a fact, not weather: the answer is kept (no request next time).
    const auto before = f.server.requests();
    (void)f.repo("acme/failing");
    CHECK(f.server.requests() == before);
}

TEST_CASE("passing trouble in one part: partial cards when cold, the last good cards when warm, nothing kept") {
    Fixture f("cache:\n  ttl_s: 1\n  max_stale_s: 1\n");
    // Cold: insights fail with a 503 (after the retries): said on their card, the rest stands.
    f.server.set_fault({tjc::testing::FaultKind::http_status, "/api/v2/insights/", -1, 0ms, 503});
    auto cold = f.repo("acme/passing");
    INFO(contents(cold));
    CHECK(card(cold, "CircleCI main: passed"));
    CHECK(card(cold, "Insights: CircleCI error"));
    f.server.clear_faults();
    auto good = f.repo("acme/passing");  // not kept: asked again, and whole now
    CHECK(card(good, "Insights 30d"));
    CHECK_FALSE(card(good, "Insights: "));
    // Warm: the next refresh meets a 503 on the pipelines: the last good cards, with a note.
    std::this_thread::sleep_for(1200ms);
    f.server.set_fault(
        {tjc::testing::FaultKind::http_status, "/api/v2/project/gh/acme/passing/pipeline", -1, 0ms, 503});
    auto warm = f.repo("acme/passing");
    INFO(contents(warm));
    CHECK(card(warm, "CircleCI: CircleCI error, cards from "));
    CHECK(card(warm, "CircleCI main: passed"));
    f.server.clear_faults();
}

TEST_CASE("prewarm: after create and after each reload, one TLS connection to the API host, before any query") {
    auto handshakes_reach = [](Fixture& f, std::size_t n) {
        for (int i = 0; i < 300 && f.server.handshakes() < n; ++i) {
            std::this_thread::sleep_for(10ms);
        }
        return f.server.handshakes();
    };
    Fixture on;
    CHECK(handshakes_reach(on, 1) == 1);
    CHECK(on.server.requests() == 0);  // a connection, no request
    tj_config_source src{{on.yaml.data(), on.yaml.size()}, {nullptr, 0}};
    tj_plugin_owned_str err{};
    REQUIRE(on.plugin.api().reload(on.instance, &src, &err) == TJ_STATUS_OK);
    on.plugin.take(err);
    CHECK(handshakes_reach(on, 2) == 2);  // the new runtime's pool
    Fixture off("http:\n  prewarm: false\n");
    std::this_thread::sleep_for(300ms);
    CHECK(off.server.handshakes() == 0);
}
