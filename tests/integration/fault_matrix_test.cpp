// Issue 8, part 3: every upstream fault of the test server, with a cold and with a warm cache,
// through the real plugin (dlopen) and through tj-host (a subprocess). For each row:
// - the query completes within its deadline (plus generous slack for a loaded machine);
// - the cards say what happened: cold, one error card naming the failure; warm, the last good
//   cards with a note naming it;
// - once the fault is cleared the next answer is right and is cached: an error result is
//   never stored as fresh (a poisoned entry would keep answering the error for its ttl);
// - the token is in no card, completion payload, log line, error message, or tj-host output.
#include "recording_host.hpp"
#include "subprocess.hpp"
#include "test_server.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <thread>

using namespace std::chrono_literals;
namespace json = boost::json;
using tjc::testing::FaultKind;
using tjc::testing::FaultSpec;
using tjc::testing::TestServer;
using tjc::testing::TestServerOptions;
using tjtest::contains;
using tjtest::kSecretToken;
using tjtest::view;

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kDeadlineMs = 1500;  // the deadline of a query that times out
// The deadline of a query whose failure comes at once: roomy, since a first query also makes
// the TLS context (the system trust store), slow on a loaded machine under TSan.
constexpr std::uint32_t kRoomyMs = 10'000;
constexpr auto kSlack = 2500ms;  // a loaded, sanitized machine; never a timing claim
const std::string kRepo = "acme/passing";
const std::string kHealthy = "CircleCI main: passed";  // acme/passing's status card

struct Row {
    const char* name;
    FaultSpec fault;
    // The failure as the cards name it ("timed out": cold card "CircleCI: timed out", warm
    // note "CircleCI: timed out, cards from ..."); nullptr: the fault is harmless.
    const char* failure = nullptr;
    const char* tooltip_has = nullptr;  // the cold card's tooltip says this too
    std::uint32_t deadline_ms = kRoomyMs;
    std::chrono::milliseconds heal_wait{0};  // e.g. the Retry-After a 429 asked for
};

// An error card or a note: "CircleCI: <what happened>" (the links card is "CircleCI: <slug>").
bool has_problem_card(const json::value& results) {
    for (const auto& r : results.as_array()) {
        const auto content = r.at("content").as_string();
        if (content.starts_with("CircleCI: ") && !content.starts_with("CircleCI: gh/acme/passing")) {
            return true;
        }
    }
    return false;
}

// The answer of one submit(): payload, status and how long it took.
struct Answer {
    tj_status status = -1;
    std::string payload;
    json::value cards;
    Clock::duration took{};
};

class Matrix {
public:
    TestServer server{TestServerOptions{TJC_FIXTURES_DIR "/world.json", std::string(kSecretToken)}};
    tjhost::Plugin plugin{TJC_PLUGIN_PATH};
    tjtest::RecordingHost host;

    // The config every phase shares: the test server, its CA, a response bound the oversized
    // fault passes, plus `cache` lines.
    // The repo is mapped by an explicit rule: a 404 is then an error (under the github.com
    // convention a 404 is a repo without CircleCI, a neutral card: cards_e2e_test).
    std::string yaml(const std::string& cache) const {
        return "circleci:\n  api_url: " + server.base_url() + "\ntls:\n  ca_file: " + server.ca_file() +
               "\nhttp:\n  max_response_bytes: 262144\ntimeouts:\n  query_ms: 10000\ncache:\n" + cache +
               "mapping:\n  rules:\n    - name: passing\n      repo: " + kRepo + "\n      project: gh/" + kRepo + "\n";
    }

    Matrix() = default;
    Matrix(const Matrix&) = delete;
    Matrix& operator=(const Matrix&) = delete;
    // An instance a failed REQUIRE left behind goes before the host it calls.
    ~Matrix() {
        for (auto* inst : live) {
            plugin.api().destroy(inst);
        }
    }
    void destroy(tj_instance* inst) {
        plugin.api().destroy(inst);
        live.erase(std::remove(live.begin(), live.end(), inst), live.end());
    }
    std::vector<tj_instance*> live;

    tj_instance* create(const std::string& config) {
        tj_host_callbacks cb = host.callbacks();
        tj_config_source src{view(config), {nullptr, 0}};
        tj_instance* inst = nullptr;
        tj_plugin_owned_str err{};
        const auto st = plugin.api().create(&cb, &src, &inst, &err);
        const auto message = plugin.take(err);
        INFO(message);
        REQUIRE(st == TJ_STATUS_OK);
        live.push_back(inst);
        return inst;
    }

    // submit() and wait for the one completion, timing it.
    Answer submit(tj_instance* inst, std::uint32_t deadline_ms) {
        const auto ctx = tjtest::repo_context(kRepo);
        tjtest::Completions done;
        std::uint64_t ticket = 0;
        const auto started = Clock::now();
        REQUIRE(plugin.api().submit(inst, view(ctx), deadline_ms, tjtest::Completions::on_done, &done, &ticket) ==
                TJ_STATUS_OK);
        REQUIRE(done.wait_for(1));
        std::lock_guard lock(done.mutex);
        REQUIRE(done.calls.size() == 1);
        Answer a{done.calls[0].status, done.calls[0].payload, {}, done.calls[0].at - started};
        CHECK(done.calls[0].ticket == ticket);
        host.keep(a.payload);
        boost::system::error_code ec;
        a.cards = json::parse(a.payload, ec);
        INFO(a.payload);
        CHECK_FALSE(ec);
        return a;
    }

    // CircleCI's word that the project's main branch has a new workflow result, through the
    // plugin's events api: the cached answers of acme/passing are refetched on their next query.
    void project_changed(tj_instance* inst) {
        const auto* events = plugin.events_api();
        REQUIRE(events);
        const std::string event = R"({"source":"circleci","type":"workflow-completed","id":"fault-matrix","payload":)"
                                  R"({"project":{"slug":"github/acme/passing"},"pipeline":{"vcs":{"branch":"main"}}}})";
        REQUIRE(events->notify(inst, view(event)) == TJ_STATUS_OK);
    }

    // The blocking query(), kept for the scan.
    json::value query(tj_instance* inst) {
        const auto ctx = tjtest::repo_context(kRepo);
        tj_plugin_owned_str out{};
        const auto st = plugin.api().query(inst, view(ctx), 0, &out);
        const auto body = plugin.take(out);
        host.keep(body);
        INFO(body);
        REQUIRE(st == TJ_STATUS_OK);
        return json::parse(body);
    }

    // After the fault is cleared: the right cards, without a note, within a few seconds (a
    // flight that failed just before may still hand its answer to one query). A poisoned
    // cache would keep answering the error for its whole ttl (60 s in the cold phase).
    json::value healed(tj_instance* inst) {
        json::value r;
        const auto until = Clock::now() + 8s;
        do {
            r = query(inst);
            if (tjtest::find_card(r, kHealthy) && !has_problem_card(r)) {
                break;
            }
            std::this_thread::sleep_for(100ms);
        } while (Clock::now() < until);
        INFO(tjtest::card_contents(r));
        CHECK(tjtest::find_card(r, kHealthy));
        CHECK_FALSE(has_problem_card(r));  // no error card, no note
        // ...and it is stored: the same query again costs no upstream request.
        const auto before = server.requests();
        query(inst);
        CHECK(server.requests() == before);
        return r;
    }

    // Messages of create/reload/resolve go into the scan too.
    void exercise_messages(tj_instance* inst) {
        tj_plugin_owned_str out{};
        const auto ctx = tjtest::repo_context(kRepo);
        CHECK(plugin.api().resolve(inst, view(ctx), &out) == TJ_STATUS_OK);
        host.keep(plugin.take(out));
        const std::string bad = "circleci:\n  api_url: http://plain.example.com\n";
        tj_config_source src{view(bad), {nullptr, 0}};
        CHECK(plugin.api().reload(inst, &src, &out) == TJ_STATUS_BAD_CONFIG);
        host.keep(plugin.take(out));
        tj_host_callbacks cb = host.callbacks();
        tj_instance* none = nullptr;
        CHECK(plugin.api().create(&cb, &src, &none, &out) == TJ_STATUS_BAD_CONFIG);
        host.keep(plugin.take(out));
    }

    // tj-host, a fresh process, against the faulted server: its output and its stderr (where
    // it prints the plugin's logs) hold the failure and never the token.
    void tj_host_query(const Row& row) {
        const auto path = "/tmp/tjc_fault_matrix_" + std::to_string(getpid()) + ".yaml";
        std::ofstream(path, std::ios::binary) << yaml("  ttl_s: 60\n");
        // A fresh process pays for its TLS context and trust store inside the query: a
        // failure that comes at once gets a roomy deadline (a loaded, sanitized machine).
        const bool times_out = row.failure && std::string_view(row.failure) == "timed out";
        const std::uint32_t deadline = times_out ? row.deadline_ms : 15'000;
        const auto r = tjtest::run_process({TJ_HOST_PATH, "query", "--plugin", TJC_PLUGIN_PATH, "--config", path,
                                            "--repo", kRepo, "--timeout-ms", std::to_string(deadline)},
                                           {{"INTEGRATION_CIRCLECI_TOKEN", std::string(kSecretToken)}});
        std::remove(path.c_str());
        INFO("tj-host stdout: " << r.out);
        INFO("tj-host stderr: " << r.err);
        CHECK(r.exit_code == 0);
        CHECK_FALSE(contains(r.out, kSecretToken));
        CHECK_FALSE(contains(r.err, kSecretToken));
        if (times_out) {
            // The plugin's timeout card, or tj-host's own ("circleci: timed out") when the
            // answer comes later than the host's limit (deadline + 500 ms) on a loaded machine.
            CHECK((contains(r.out, "CircleCI: timed out") || contains(r.out, "circleci: timed out")));
        } else {
            CHECK(contains(r.out, row.failure ? "CircleCI: " + std::string(row.failure) : kHealthy));
        }
        // The plugin's warning. A timeout is the exception: the query ends at its deadline, the
        // fetch (whose warning it is) a moment later, and tj-host may exit in between.
        if (row.failure && !times_out) {
            CHECK(contains(r.err, std::string("failed: ") + row.failure));
        }
    }
};

void check_deadline(const Row& row, const Answer& a) {
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(a.took);
    INFO("took " << took.count() << " ms, deadline " << row.deadline_ms << " ms");
    CHECK(took < std::chrono::milliseconds(row.deadline_ms) + kSlack);
}

// Cold: a new instance, nothing cached, nothing pooled.
void cold(Matrix& m, const Row& row) {
    tj_instance* inst = m.create(m.yaml("  ttl_s: 60\n"));
    m.server.set_fault(row.fault);
    const auto a = m.submit(inst, row.deadline_ms);
    INFO("cold: " << tjtest::card_contents(a.cards));
    CHECK(a.status == TJ_STATUS_OK);  // an upstream failure is a result: an error card
    check_deadline(row, a);
    if (row.failure) {
        REQUIRE(a.cards.is_array());
        CHECK(a.cards.as_array().size() == 1);  // one clear card, nothing half-rendered
        const auto* card = tjtest::find_card(a.cards, "CircleCI: " + std::string(row.failure));
        REQUIRE(card);
        CHECK(card->at("status") == "important");
        if (row.tooltip_has) {
            CHECK(contains(card->at("tooltip").as_string(), row.tooltip_has));
        }
        CHECK(m.host.logged_soon(std::string("failed: ") + row.failure));
    } else {
        CHECK(tjtest::find_card(a.cards, kHealthy));
    }
    m.tj_host_query(row);
    m.server.clear_faults();
    std::this_thread::sleep_for(row.heal_wait);
    m.healed(inst);
    m.exercise_messages(inst);
    m.destroy(inst);
}

// Warm: good cards are cached for an hour; a CircleCI event (notify, ABI 1.2) says the project
// changed, so the next query refetches at once and meets the fault. With a ttl this long, an
// error that replaced the good cards would be served until the end of the test: healed() would
// fail.
void warm(Matrix& m, const Row& row) {
    tj_instance* inst = m.create(m.yaml("  ttl_s: 3600\n  max_stale_s: 3600\n"));
    const auto first = m.query(inst);
    REQUIRE(tjtest::find_card(first, kHealthy));
    const auto before = m.server.requests();
    m.query(inst);
    REQUIRE(m.server.requests() == before);  // cached: only the event makes it fetch again
    m.project_changed(inst);
    if (row.fault.kind == FaultKind::wrong_host_cert) {
        // The pool's connections were verified when they opened; only a new one meets the
        // wrong certificate. A server restart drops them.
        m.server.set_fault({FaultKind::refuse_connections});
        m.server.clear_faults();
    }
    m.server.set_fault(row.fault);
    const auto a = m.submit(inst, row.deadline_ms);
    INFO("warm: " << tjtest::card_contents(a.cards));
    CHECK(a.status == TJ_STATUS_OK);
    check_deadline(row, a);
    CHECK(tjtest::find_card(a.cards, kHealthy));  // the last good cards survive the fault
    if (row.failure) {
        const auto* note = tjtest::find_card(a.cards, "CircleCI: " + std::string(row.failure) + ", cards from ");
        REQUIRE(note);
        CHECK(contains(note->at("tooltip").as_string(), "gh/acme/passing"));
    } else {
        CHECK_FALSE(has_problem_card(a.cards));
    }
    m.server.clear_faults();
    std::this_thread::sleep_for(row.heal_wait);
    m.healed(inst);
    m.destroy(inst);
}

void run_row(const Row& row) {
    Matrix m;
    CAPTURE(row.name);
    SUBCASE("cold cache") { cold(m, row); }
    SUBCASE("warm cache") { warm(m, row); }
    const auto leaks = m.host.leaks();
    for (const auto& l : leaks) {
        FAIL_CHECK("the token leaked into: " << l);
    }
    CHECK(m.host.texts_scanned() > 3);
}

}  // namespace

TEST_CASE("fault: latency beyond the deadline") {
    run_row({"latency 5 s", {FaultKind::latency, "", -1, 5000ms}, "timed out", nullptr, kDeadlineMs});
}

TEST_CASE("fault: latency within the deadline is only slow") {
    run_row({"latency 100 ms", {FaultKind::latency, "", -1, 100ms}, nullptr, nullptr, kRoomyMs});
}

TEST_CASE("fault: connections refused") {
    run_row({"refused", {FaultKind::refuse_connections}, "CircleCI unreachable"});
}

TEST_CASE("fault: reset mid-body") { run_row({"reset", {FaultKind::reset_mid_body}, "CircleCI unreachable"}); }

TEST_CASE("fault: a stalled server") { run_row({"stall", {FaultKind::stall}, "timed out", nullptr, kDeadlineMs}); }

TEST_CASE("fault: a slow drip") {
    run_row({"slow drip", {FaultKind::slow_drip, "", -1, 400ms}, "timed out", nullptr, kDeadlineMs});
}

TEST_CASE("fault: HTTP 500") {
    run_row({"500", {FaultKind::http_status, "", -1, 0ms, 500}, "CircleCI error", "server error"});
}

TEST_CASE("fault: HTTP 502") {
    run_row({"502", {FaultKind::http_status, "", -1, 0ms, 502}, "CircleCI error", "server error"});
}

TEST_CASE("fault: HTTP 503") {
    run_row({"503", {FaultKind::http_status, "", -1, 0ms, 503}, "CircleCI error", "server error"});
}

TEST_CASE("fault: rate limited (429 with Retry-After)") {
    // A Retry-After of 1 s: waited out for each allowed retry, then given up as rate-limited.
    run_row({"429", {FaultKind::rate_limit, "", -1, 0ms, 0, 1}, "rate-limited", "429", kRoomyMs, 1100ms});
}

TEST_CASE("fault: unauthorized (401)") {
    run_row({"401", {FaultKind::unauthorized}, "token rejected", "personal API tokens"});
}

TEST_CASE("fault: not found (404)") {
    run_row({"404", {FaultKind::not_found}, "project not found", "gh/acme/passing"});
}

TEST_CASE("fault: invalid JSON") { run_row({"invalid JSON", {FaultKind::invalid_json}, "unexpected response"}); }

TEST_CASE("fault: a body over http.max_response_bytes") {
    run_row({"oversized",
             {FaultKind::oversized_body, "", -1, 0ms, 0, 0, "", 2u << 20},
             "unexpected response",
             "larger than 262144 bytes"});
}

TEST_CASE("fault: a certificate for another host") {
    run_row({"wrong host certificate", {FaultKind::wrong_host_cert}, "TLS error", "certificate"});
}

TEST_CASE("fault: an HTML error page from a load balancer") {
    run_row({"html 502", {FaultKind::html_error_page}, "CircleCI error", "Bad Gateway"});
}

TEST_CASE("fault: an error whose message and headers repeat the token: the client's error path redacts it") {
    // The only fault whose answer carries the token: the scan of every output (below) is what
    // catches a redaction bug in the client's own error path.
    run_row({"echo token", {FaultKind::echo_token}, "CircleCI error", "was not accepted here"});
}

TEST_CASE("fault: a redirect to another origin is refused and the other origin sees nothing") {
    TestServer elsewhere{TestServerOptions{TJC_FIXTURES_DIR "/world.json", std::string(kSecretToken)}};
    run_row({"redirect",
             {FaultKind::redirect, "", -1, 0ms, 302, 0, elsewhere.base_url() + "/me"},
             "unexpected response",
             "refused a redirect"});
    CHECK(elsewhere.requests() == 0);
    CHECK(elsewhere.connections() == 0);
}
