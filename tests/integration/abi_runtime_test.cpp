// The real plugin through its C ABI only (dlopen + dlsym, as any host would): lifetime,
// threads, completions, cancellation, argument checks, reload and init counting.
// Run it under ASan (TJC_SANITIZE=address) for the leak and use-after-free guarantees.
#include <doctest/doctest.h>

#include "closed_port.hpp"
#include "text.hpp"

#include <tooljump/plugin.h>

#include <boost/json.hpp>

#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using tjtest::contains;
using tjtest::has_position_after;

namespace {

using namespace std::chrono_literals;
constexpr auto kSafetyNet = 60s;  // only ever reached when something hangs

tj_str_view view(const std::string& s) { return {s.data(), s.size()}; }

// Queries never leave the machine: the API is a loopback port that refuses connections.
const tjtest::ClosedPort& closed_port() {
    static const tjtest::ClosedPort port;
    return port;
}

// A config with the API on the closed port, no retries, plus `circleci_lines` (indented
// keys of the circleci section) and `more` (further sections).
std::string offline_config(const std::string& circleci_lines = "", const std::string& more = "") {
    return "circleci:\n  api_url: " + closed_port().api_url() + "\n" + circleci_lines + "http:\n  max_retries: 0\n" +
           more;
}

// The host's secret lookup: every secret has a (fake) value, so queries really fetch.
tj_status test_secret(void*, tj_str_view, tj_secret_sink sink, void* sink_data) {
    static const std::string value = "test-token-not-real";
    sink(sink_data, {value.data(), value.size()});
    return TJ_STATUS_OK;
}

const tj_host_callbacks kTestHost{nullptr, nullptr, test_secret, nullptr};

std::string github_context(const std::string& repo) {
    return R"({"type":"github","url":"https://github.com/)" + repo + R"(","page":{"name":"repository","repository":")" +
           repo + R"("}})";
}

// dlopen + dlsym + init + get_api; undone in reverse by the destructor.
class Loaded {
public:
    Loaded() {
        handle_ = dlopen(TJC_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
        if (!handle_) {
            throw std::runtime_error(std::string("dlopen: ") + dlerror());
        }
        entry_ = static_cast<const tj_plugin_entry*>(dlsym(handle_, TJ_PLUGIN_ENTRY_SYMBOL));
        if (!entry_) {
            throw std::runtime_error("no entry symbol");
        }
        if (entry_->init({TJ_ABI_VERSION_MAJOR, TJ_ABI_VERSION_MINOR}) != TJ_STATUS_OK) {
            throw std::runtime_error("init refused");
        }
        api_ = static_cast<const tj_plugin_api_v1*>(entry_->get_api(TJ_PLUGIN_API_V1));
        if (!api_) {
            throw std::runtime_error("no api v1");
        }
    }
    ~Loaded() {
        entry_->deinit();
        dlclose(handle_);
    }
    Loaded(const Loaded&) = delete;
    Loaded& operator=(const Loaded&) = delete;

    const tj_plugin_api_v1& api() const { return *api_; }
    const tj_plugin_entry& entry() const { return *entry_; }

    // Copies and releases a plugin-owned string.
    std::string take(tj_plugin_owned_str& s) const {
        std::string out = s.ptr_plugin_owned ? std::string(s.ptr_plugin_owned, s.len) : std::string();
        api_->release_str(&s);
        return out;
    }

    // Creates an instance from YAML text (host callbacks optional); REQUIREs success.
    tj_instance* create(const std::string& yaml, const tj_host_callbacks* host = nullptr) const {
        tj_config_source source{view(yaml), {nullptr, 0}};
        tj_instance* inst = nullptr;
        tj_plugin_owned_str error{};
        const auto st = api_->create(host ? host : &kTestHost, &source, &inst, &error);
        const auto message = take(error);
        INFO("create: " << message);
        REQUIRE(st == TJ_STATUS_OK);
        REQUIRE(inst != nullptr);
        return inst;
    }

    tj_status query(tj_instance* inst, const std::string& context, std::string& out) const {
        tj_plugin_owned_str s{};
        const auto st = api_->query(inst, view(context), 0, &s);
        out = take(s);
        return st;
    }

    tj_status resolve(tj_instance* inst, const std::string& context, std::string& out) const {
        tj_plugin_owned_str s{};
        const auto st = api_->resolve(inst, view(context), &s);
        out = take(s);
        return st;
    }

    tj_status reload_text(tj_instance* inst, const std::string& yaml, std::string& error) const {
        tj_config_source source{view(yaml), {nullptr, 0}};
        tj_plugin_owned_str e{};
        const auto st = api_->reload(inst, &source, &e);
        error = take(e);
        return st;
    }

private:
    void* handle_ = nullptr;
    const tj_plugin_entry* entry_ = nullptr;
    const tj_plugin_api_v1* api_ = nullptr;
};

// A results payload is a JSON array of card objects.
bool is_results_array(const std::string& payload) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(payload, ec);
    if (ec || !v.is_array()) {
        return false;
    }
    for (const auto& card : v.as_array()) {
        if (!card.is_object() || !card.as_object().contains("type")) {
            return false;
        }
    }
    return true;
}

// Waits for a number of completions; collects them.
struct Completions {
    struct Call {
        std::uint64_t ticket;
        tj_status status;
        std::string payload;
    };
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<Call> calls;

    static void on_done(void* self, uint64_t ticket, tj_status status, tj_str_view payload) {
        auto* c = static_cast<Completions*>(self);
        std::lock_guard lock(c->mutex);
        c->calls.push_back({ticket, status, std::string(payload.ptr ? payload.ptr : "", payload.len)});
        c->cv.notify_all();
    }
    bool wait_for(std::size_t n) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, kSafetyNet, [&] { return calls.size() >= n; });
    }
};

// Log lines the plugin sent, with their levels.
struct LogSink {
    std::mutex mutex;
    std::vector<std::pair<tj_log_level, std::string>> lines;
    static void log(void* self, tj_log_level level, tj_str_view message) {
        auto* s = static_cast<LogSink*>(self);
        std::lock_guard lock(s->mutex);
        s->lines.emplace_back(level, std::string(message.ptr ? message.ptr : "", message.len));
    }
    bool has(tj_log_level level, const std::string& text) {
        std::lock_guard lock(mutex);
        for (const auto& [l, m] : lines) {
            if (l == level && contains(m, text)) {
                return true;
            }
        }
        return false;
    }
};

std::string temp_file(const std::string& name, const std::string& content) {
    const auto path = "/tmp/tjc_abi_runtime_" + std::to_string(getpid()) + "_" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

std::string token_secret_of(const std::string& resolve_json) {
    const auto v = boost::json::parse(resolve_json);
    return std::string(v.at("projects").at(0).at("tokenSecret").as_string());
}

}  // namespace

TEST_CASE("load, init, create, query, destroy, deinit and dlclose 100 times") {
    const std::string context = github_context("acme/webshop");
    const std::string config = offline_config();
    for (int i = 0; i < 100; ++i) {
        CAPTURE(i);
        void* handle = dlopen(TJC_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
        REQUIRE(handle != nullptr);
        const auto* entry = static_cast<const tj_plugin_entry*>(dlsym(handle, TJ_PLUGIN_ENTRY_SYMBOL));
        REQUIRE(entry != nullptr);
        REQUIRE(entry->init({TJ_ABI_VERSION_MAJOR, TJ_ABI_VERSION_MINOR}) == TJ_STATUS_OK);
        const auto* api = static_cast<const tj_plugin_api_v1*>(entry->get_api(TJ_PLUGIN_API_V1));
        REQUIRE(api != nullptr);

        tj_config_source source{view(config), {nullptr, 0}};
        tj_instance* inst = nullptr;
        tj_plugin_owned_str error{};
        REQUIRE(api->create(&kTestHost, &source, &inst, &error) == TJ_STATUS_OK);
        CHECK(error.ptr_plugin_owned == nullptr);
        tj_plugin_owned_str out{};
        CHECK(api->query(inst, view(context), 0, &out) == TJ_STATUS_OK);
        CHECK(is_results_array(std::string(out.ptr_plugin_owned, out.len)));
        api->release_str(&out);
        api->destroy(inst);

        entry->deinit();
        CHECK(entry->get_api(TJ_PLUGIN_API_V1) == nullptr);
        REQUIRE(dlclose(handle) == 0);
    }
}

TEST_CASE("init is counted: the api lives until the last deinit") {
    void* handle = dlopen(TJC_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    REQUIRE(handle != nullptr);
    const auto* entry = static_cast<const tj_plugin_entry*>(dlsym(handle, TJ_PLUGIN_ENTRY_SYMBOL));
    REQUIRE(entry != nullptr);
    CHECK(entry->abi_version.major == TJ_ABI_VERSION_MAJOR);

    CHECK(entry->get_api(TJ_PLUGIN_API_V1) == nullptr);  // before init
    CHECK(entry->init({TJ_ABI_VERSION_MAJOR + 1, 0}) == TJ_STATUS_UNSUPPORTED);
    CHECK(entry->get_api(TJ_PLUGIN_API_V1) == nullptr);  // a refused init does not count

    REQUIRE(entry->init({TJ_ABI_VERSION_MAJOR, TJ_ABI_VERSION_MINOR}) == TJ_STATUS_OK);
    REQUIRE(entry->init({TJ_ABI_VERSION_MAJOR, TJ_ABI_VERSION_MINOR}) == TJ_STATUS_OK);
    const auto* api = static_cast<const tj_plugin_api_v1*>(entry->get_api(TJ_PLUGIN_API_V1));
    REQUIRE(api != nullptr);
    CHECK(entry->get_api("tooljump.plugin.v999") == nullptr);
    CHECK(entry->get_api(nullptr) == nullptr);

    entry->deinit();  // one of two
    CHECK(entry->get_api(TJ_PLUGIN_API_V1) == api);
    tj_host_callbacks cb{};
    tj_config_source source{{nullptr, 0}, {nullptr, 0}};
    tj_instance* inst = nullptr;
    tj_plugin_owned_str error{};
    REQUIRE(api->create(&cb, &source, &inst, &error) == TJ_STATUS_OK);
    api->destroy(inst);

    entry->deinit();  // the last one
    CHECK(entry->get_api(TJ_PLUGIN_API_V1) == nullptr);
    // The (still mapped) api refuses to create after the last deinit.
    inst = nullptr;
    CHECK(api->create(&cb, &source, &inst, &error) == TJ_STATUS_NOT_INITIALIZED);
    CHECK(inst == nullptr);
    CHECK(contains(std::string(error.ptr_plugin_owned ? error.ptr_plugin_owned : ""), "init()"));
    api->release_str(&error);
    entry->deinit();  // an extra deinit is harmless
    CHECK(entry->get_api(TJ_PLUGIN_API_V1) == nullptr);
    REQUIRE(dlclose(handle) == 0);
}

TEST_CASE("8 threads query one instance at once, blocking and asynchronous") {
    Loaded p;
    tj_instance* inst = p.create(offline_config());
    constexpr int kThreads = 8;
    constexpr int kPerThread = 25;

    std::mutex failures_mutex;
    std::vector<std::string> failures;
    std::mutex tickets_mutex;
    std::set<std::uint64_t> tickets;
    std::atomic<int> ok{0};
    auto fail = [&](std::string what) {
        std::lock_guard lock(failures_mutex);
        failures.push_back(std::move(what));
    };

    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const std::string repo = "org" + std::to_string(t) + "/repo" + std::to_string(i);
                const auto context = github_context(repo);
                // Blocking.
                std::string out;
                const auto st = p.query(inst, context, out);
                if (st != TJ_STATUS_OK) {
                    fail("query " + repo + ": status " + std::to_string(st) + ": " + out);
                }
                if (!is_results_array(out)) {
                    fail("query " + repo + ": not a results array: " + out);
                }
                if (!contains(out, repo)) {
                    fail("query " + repo + ": results are about another repo: " + out);
                }
                // Asynchronous.
                Completions c;
                std::uint64_t ticket = 0;
                const auto sst = p.api().submit(inst, view(context), 0, Completions::on_done, &c, &ticket);
                if (sst != TJ_STATUS_OK) {
                    fail("submit " + repo + ": status " + std::to_string(sst));
                    continue;
                }
                if (!c.wait_for(1)) {
                    fail("submit " + repo + ": no completion");
                    continue;
                }
                {
                    std::lock_guard lock(tickets_mutex);
                    if (!tickets.insert(ticket).second) {
                        fail("ticket reused: " + std::to_string(ticket));
                    }
                }
                const auto& call = c.calls.front();
                if (call.ticket != ticket) {
                    fail("completion carries another ticket");
                }
                if (call.status != TJ_STATUS_OK) {
                    fail("submit " + repo + ": completion status " + std::to_string(call.status));
                }
                if (!is_results_array(call.payload) || !contains(call.payload, repo)) {
                    fail("submit " + repo + ": bad payload: " + call.payload);
                }
                ++ok;
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    p.api().destroy(inst);
    for (const auto& f : failures) {
        FAIL_CHECK(f);
    }
    CHECK(failures.empty());
    CHECK(ok.load() == kThreads * kPerThread);
    CHECK(tickets.size() == static_cast<std::size_t>(kThreads * kPerThread));
}

namespace {

// For the destroy test: one slot per submitted query.
struct DestroyProbe {
    struct Slot {
        DestroyProbe* probe = nullptr;
        std::atomic<int> calls{0};
        std::atomic<tj_status> status{-1};
        std::atomic<std::uint64_t> ticket{0};
        std::atomic<bool> payload_ok{false};
    };
    std::atomic<bool> destroy_returned{false};
    std::atomic<int> late_callbacks{0};
    std::vector<Slot> slots;
    // A slow host: when gated, every callback waits for the gate to open.
    bool gated = false;
    std::mutex gate_mutex;
    std::condition_variable gate_cv;
    bool gate_open = false;

    void open_gate() {
        std::lock_guard lock(gate_mutex);
        gate_open = true;
        gate_cv.notify_all();
    }

    explicit DestroyProbe(std::size_t n) : slots(n) {
        for (auto& s : slots) {
            s.probe = this;
        }
    }

    std::atomic<int> entered{0};  // completions that started (the gate comes after)

    static void on_done(void* user_data, uint64_t ticket, tj_status status, tj_str_view payload) {
        auto* slot = static_cast<Slot*>(user_data);
        ++slot->probe->entered;
        if (slot->probe->gated) {
            std::unique_lock lock(slot->probe->gate_mutex);
            slot->probe->gate_cv.wait_for(lock, kSafetyNet, [&] { return slot->probe->gate_open; });
        }
        if (slot->probe->destroy_returned.load()) {
            ++slot->probe->late_callbacks;
        }
        slot->ticket = ticket;
        slot->status = status;
        const std::string text(payload.ptr ? payload.ptr : "", payload.len);
        slot->payload_ok = status == TJ_STATUS_OK ? is_results_array(text) : !text.empty();
        ++slot->calls;
    }
};

}  // namespace

TEST_CASE("destroy with 500 queries in flight: each completes exactly once, CANCELLED, none after destroy returns") {
    Loaded p;
    // An API that takes connections and never answers: every query is still in flight at destroy.
    const tjtest::ClosedPort silent(/*listen_silently=*/true);
    const std::string config = "circleci:\n  api_url: " + silent.api_url() + "\nhttp:\n  max_retries: 0\n";
    for (int round = 0; round < 5; ++round) {
        CAPTURE(round);
        tj_instance* inst = p.create(config);
        DestroyProbe probe(500);
        std::vector<std::uint64_t> tickets(probe.slots.size());
        for (std::size_t i = 0; i < probe.slots.size(); ++i) {
            const auto context = github_context("acme/repo" + std::to_string(i));
            REQUIRE(p.api().submit(inst, view(context), 0, DestroyProbe::on_done, &probe.slots[i], &tickets[i]) ==
                    TJ_STATUS_OK);
        }
        p.api().destroy(inst);
        probe.destroy_returned = true;

        int cancelled = 0;
        for (std::size_t i = 0; i < probe.slots.size(); ++i) {
            const auto& s = probe.slots[i];
            CAPTURE(i);
            REQUIRE(s.calls.load() == 1);
            CHECK(s.ticket.load() == tickets[i]);
            CHECK(s.status.load() == TJ_STATUS_CANCELLED);
            CHECK(s.payload_ok.load());
            cancelled += s.status.load() == TJ_STATUS_CANCELLED;
        }
        CHECK(probe.late_callbacks.load() == 0);
        CHECK(cancelled == 500);
    }
}

TEST_CASE("destroy with a slow host: completions queued behind a blocked callback all run before destroy returns") {
    Loaded p;
    tj_instance* inst = p.create(offline_config());
    DestroyProbe probe(500);
    probe.gated = true;
    std::vector<std::uint64_t> tickets(probe.slots.size());
    for (std::size_t i = 0; i < probe.slots.size(); ++i) {
        const auto context = github_context("acme/repo" + std::to_string(i));
        REQUIRE(p.api().submit(inst, view(context), 0, DestroyProbe::on_done, &probe.slots[i], &tickets[i]) ==
                TJ_STATUS_OK);
    }
    // The callback thread is stuck in the first completion; the rest are queued or in flight.
    const auto until = std::chrono::steady_clock::now() + kSafetyNet;
    while (probe.entered.load() == 0 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(5ms);
    }
    REQUIRE(probe.entered.load() == 1);
    std::thread host_thread([&] {
        p.api().destroy(inst);
        probe.destroy_returned = true;
    });
    std::this_thread::sleep_for(200ms);
    CHECK(probe.entered.load() == 1);            // one at a time: the others wait behind it...
    CHECK_FALSE(probe.destroy_returned.load());  // ...and so does destroy
    probe.open_gate();
    host_thread.join();
    for (std::size_t i = 0; i < probe.slots.size(); ++i) {
        CAPTURE(i);
        CHECK(probe.slots[i].calls.load() == 1);
        CHECK(probe.slots[i].ticket.load() == tickets[i]);
        const auto st = probe.slots[i].status.load();
        CHECK((st == TJ_STATUS_OK || st == TJ_STATUS_CANCELLED));
    }
    CHECK(probe.late_callbacks.load() == 0);
}

TEST_CASE("cancel: each query completes exactly once, cancelled or with its result") {
    Loaded p;
    tj_instance* inst = p.create(offline_config());
    constexpr std::size_t kQueries = 200;
    Completions c;
    std::vector<std::uint64_t> tickets(kQueries);
    std::vector<tj_status> cancel_status(kQueries);
    for (std::size_t i = 0; i < kQueries; ++i) {
        const auto context = github_context("acme/repo" + std::to_string(i));
        REQUIRE(p.api().submit(inst, view(context), 0, Completions::on_done, &c, &tickets[i]) == TJ_STATUS_OK);
        cancel_status[i] = p.api().cancel(inst, tickets[i]);
        CHECK((cancel_status[i] == TJ_STATUS_OK || cancel_status[i] == TJ_STATUS_UNKNOWN_TICKET));
    }
    REQUIRE(c.wait_for(kQueries));
    // Every ticket is known now: cancelling again finds nothing, and unknown tickets are refused.
    for (auto t : tickets) {
        CHECK(p.api().cancel(inst, t) == TJ_STATUS_UNKNOWN_TICKET);
    }
    CHECK(p.api().cancel(inst, 0) == TJ_STATUS_UNKNOWN_TICKET);
    CHECK(p.api().cancel(inst, 0xFFFFFFFFFFFFull) == TJ_STATUS_UNKNOWN_TICKET);
    p.api().destroy(inst);

    std::lock_guard lock(c.mutex);
    REQUIRE(c.calls.size() == kQueries);  // nothing arrived twice, even at destroy
    std::map<std::uint64_t, const Completions::Call*> by_ticket;
    for (const auto& call : c.calls) {
        CHECK(by_ticket.emplace(call.ticket, &call).second);
    }
    int cancelled = 0;
    for (std::size_t i = 0; i < kQueries; ++i) {
        CAPTURE(i);
        REQUIRE(by_ticket.contains(tickets[i]));
        const auto& call = *by_ticket[tickets[i]];
        if (call.status == TJ_STATUS_CANCELLED) {
            ++cancelled;
            CHECK(cancel_status[i] == TJ_STATUS_OK);  // only an accepted cancel cancels
            CHECK(contains(call.payload, "cancel"));
        } else {
            CHECK(call.status == TJ_STATUS_OK);
            CHECK(is_results_array(call.payload));
        }
        // An unknown ticket means the query had already completed with its result.
        if (cancel_status[i] == TJ_STATUS_UNKNOWN_TICKET) {
            CHECK(call.status == TJ_STATUS_OK);
        }
    }
    MESSAGE(cancelled << " of " << kQueries << " cancelled");
}

TEST_CASE("bad context JSON is INVALID_ARGUMENT with a clear message, through query, submit and resolve") {
    Loaded p;
    tj_instance* inst = p.create(offline_config());
    struct Case {
        const char* json;
        const char* expect;  // in the message
    };
    const Case cases[] = {
        {"{\"type\": \"github\",", "invalid JSON"},
        {"", "invalid JSON"},
        {"[1,2,3]", "JSON object"},
        {"\"github\"", "JSON object"},
        {R"({"url":"https://github.com/acme/webshop"})", "'type'"},
        {R"({"type":5,"url":"https://github.com/acme/webshop"})", "'type' must be a string"},
        {R"({"type":"github","url":["x"]})", "'url' must be a string"},
        {R"({"type":"github","page":{"repository":42}})", "'page.repository' must be a string"},
        {R"({"type":"github","page":{"repository":"a/b","section":{"hash":false}}})",
         "'page.section.hash' must be a string"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.json);
        std::string out;
        CHECK(p.query(inst, c.json, out) == TJ_STATUS_INVALID_ARGUMENT);
        CHECK(contains(out, "context"));
        CHECK(contains(out, c.expect));

        std::string resolved;
        CHECK(p.resolve(inst, c.json, resolved) == TJ_STATUS_INVALID_ARGUMENT);
        CHECK(resolved == out);

        Completions done;
        std::uint64_t ticket = 0;
        const std::string json = c.json;
        // submit accepts the query; the error comes through the completion, exactly once.
        REQUIRE(p.api().submit(inst, view(json), 0, Completions::on_done, &done, &ticket) == TJ_STATUS_OK);
        REQUIRE(done.wait_for(1));
        std::lock_guard lock(done.mutex);
        REQUIRE(done.calls.size() == 1);
        CHECK(done.calls[0].ticket == ticket);
        CHECK(done.calls[0].status == TJ_STATUS_INVALID_ARGUMENT);
        CHECK(done.calls[0].payload == out);
    }
    p.api().destroy(inst);
}

TEST_CASE("submit and notify, which have no out string, say in the host's log why they refused an argument") {
    Loaded p;
    LogSink sink;
    const tj_host_callbacks cb{&sink, LogSink::log, test_secret, nullptr};
    tj_instance* inst = p.create(offline_config(), &cb);
    const std::string context = github_context("acme/webshop");
    Completions c;
    std::uint64_t ticket = 7;
    CHECK(p.api().submit(inst, view(context), 0, nullptr, &c, &ticket) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(p.api().submit(inst, view(context), 0, Completions::on_done, &c, nullptr) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(p.api().submit(inst, {nullptr, 3}, 0, Completions::on_done, &c, &ticket) == TJ_STATUS_INVALID_ARGUMENT);
    const auto* events = static_cast<const tj_plugin_events_v1*>(p.entry().get_api(TJ_PLUGIN_EVENTS_V1));
    REQUIRE(events);
    CHECK(events->notify(inst, view(std::string("{not json"))) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(events->notify(inst, {nullptr, 4}) == TJ_STATUS_INVALID_ARGUMENT);
    p.api().destroy(inst);  // delivers the queued log lines
    CHECK(sink.has(TJ_LOG_WARN, "submit() refused: done is NULL"));
    CHECK(sink.has(TJ_LOG_WARN, "submit() refused: out_ticket is NULL"));
    CHECK(sink.has(TJ_LOG_WARN, "submit() refused: context is not a valid string view"));
    CHECK(sink.has(TJ_LOG_WARN, "notify() refused: "));
    CHECK(sink.has(TJ_LOG_WARN, "notify() refused: event is not a valid string view"));
    CHECK(c.calls.empty());
}

TEST_CASE("null and overlong arguments give an error status, never a crash") {
    Loaded p;
    const auto& api = p.api();
    tj_instance* inst = p.create(offline_config());
    const std::string context = github_context("acme/webshop");
    tj_plugin_owned_str out{};
    std::uint64_t ticket = 7;
    Completions c;

    // describe
    CHECK(api.describe(nullptr, nullptr) == TJ_STATUS_INVALID_ARGUMENT);

    // create
    tj_host_callbacks cb{};
    const std::string yaml = "timeouts: {query_ms: 1000}";
    const std::string path = "/tmp/whatever.yaml";
    tj_config_source both{view(yaml), view(path)};
    tj_config_source good{view(yaml), {nullptr, 0}};
    tj_config_source dangling{{nullptr, 5}, {nullptr, 0}};
    tj_instance* made = reinterpret_cast<tj_instance*>(&cb);
    CHECK(api.create(nullptr, &good, &made, &out) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(made == nullptr);
    CHECK_FALSE(p.take(out).empty());
    CHECK(api.create(&cb, &good, nullptr, &out) == TJ_STATUS_INVALID_ARGUMENT);
    p.take(out);
    CHECK(api.create(&cb, nullptr, &made, &out) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(contains(p.take(out), "config"));
    CHECK(api.create(&cb, &both, &made, &out) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(contains(p.take(out), "not both"));
    CHECK(api.create(&cb, &dangling, &made, &out) == TJ_STATUS_INVALID_ARGUMENT);
    p.take(out);
    CHECK(made == nullptr);
    CHECK(api.create(&cb, &good, &made, nullptr) == TJ_STATUS_OK);  // out_error is optional
    api.destroy(made);

    // destroy / release_str
    api.destroy(nullptr);
    api.release_str(nullptr);

    // reload
    CHECK(api.reload(nullptr, &good, &out) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(contains(p.take(out), "instance"));
    CHECK(api.reload(inst, nullptr, &out) == TJ_STATUS_INVALID_ARGUMENT);
    p.take(out);
    CHECK(api.reload(inst, &dangling, nullptr) == TJ_STATUS_INVALID_ARGUMENT);

    // submit: every missing piece refuses, and done is never called then
    CHECK(api.submit(nullptr, view(context), 0, Completions::on_done, &c, &ticket) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(ticket == 0);
    CHECK(api.submit(inst, view(context), 0, nullptr, &c, &ticket) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(api.submit(inst, view(context), 0, Completions::on_done, &c, nullptr) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(api.submit(inst, {nullptr, 3}, 0, Completions::on_done, &c, &ticket) == TJ_STATUS_INVALID_ARGUMENT);

    // cancel
    CHECK(api.cancel(nullptr, 1) == TJ_STATUS_INVALID_ARGUMENT);

    // query / resolve
    CHECK(api.query(nullptr, view(context), 0, &out) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(contains(p.take(out), "instance"));
    CHECK(api.query(inst, view(context), 0, nullptr) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(api.query(inst, {nullptr, 10}, 0, &out) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK_FALSE(p.take(out).empty());
    CHECK(api.resolve(nullptr, view(context), &out) == TJ_STATUS_INVALID_ARGUMENT);
    p.take(out);
    CHECK(api.resolve(inst, view(context), nullptr) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(api.resolve(inst, {nullptr, 10}, &out) == TJ_STATUS_INVALID_ARGUMENT);
    p.take(out);

    // Overlong: past the boundary's 16 MiB limit, and past the context's 100 kB limit.
    const std::string huge(17u << 20, ' ');
    CHECK(api.query(inst, view(huge), 0, &out) == TJ_STATUS_INVALID_ARGUMENT);
    p.take(out);
    CHECK(api.resolve(inst, view(huge), &out) == TJ_STATUS_INVALID_ARGUMENT);
    p.take(out);
    CHECK(api.submit(inst, view(huge), 0, Completions::on_done, &c, &ticket) == TJ_STATUS_INVALID_ARGUMENT);
    tj_config_source huge_config{view(huge), {nullptr, 0}};
    CHECK(api.reload(inst, &huge_config, &out) == TJ_STATUS_INVALID_ARGUMENT);
    p.take(out);
    const std::string big = R"({"type":"github","pad":")" + std::string(200 * 1024, 'x') + "\"}";
    CHECK(api.query(inst, view(big), 0, &out) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(contains(p.take(out), "larger than"));
    const std::string deep = std::string(1000, '[') + std::string(1000, ']');
    CHECK(api.query(inst, view(deep), 0, &out) == TJ_STATUS_INVALID_ARGUMENT);
    p.take(out);

    // The instance still works, and no refused submit ever completed.
    std::string fine;
    CHECK(p.query(inst, context, fine) == TJ_STATUS_OK);
    CHECK(is_results_array(fine));
    api.destroy(inst);
    CHECK(c.calls.empty());
}

TEST_CASE("reload with an invalid config keeps the running one, and the error names file:line:column and key") {
    Loaded p;
    LogSink logs;
    tj_host_callbacks cb{};
    cb.host_data = &logs;
    cb.log = LogSink::log;
    cb.get_secret = test_secret;
    tj_instance* inst =
        p.create(offline_config("  app_url: https://ci-one.example.com\n  token_secret: FIRST_TOKEN\n"), &cb);
    const std::string context = github_context("acme/webshop");
    auto expect_first_config = [&] {
        std::string out;
        REQUIRE(p.resolve(inst, context, out) == TJ_STATUS_OK);
        CHECK(token_secret_of(out) == "FIRST_TOKEN");
        REQUIRE(p.query(inst, context, out) == TJ_STATUS_OK);
        CHECK(contains(out, "https://ci-one.example.com"));
        tj_plugin_owned_str d{};
        REQUIRE(p.api().describe(inst, &d) == TJ_STATUS_OK);
        const auto desc = boost::json::parse(p.take(d));
        CHECK(desc.at("requiredSecrets").at(0) == "FIRST_TOKEN");
    };
    expect_first_config();

    struct Bad {
        const char* what;
        std::string yaml;
        std::string expect_position;  // file:line:column
        std::string expect_text;      // key or message
    };
    const Bad bad[] = {
        {"invalid YAML", "circleci:\n  app_url: [unclosed\n", "", "invalid YAML"},
        {"negative timeout", "timeouts:\n  query_ms: -5\n", "<inline>:2:13", "timeouts.query_ms"},
        {"unknown key", "circleci:\n  app_ulr: https://x.example.com\n", "<inline>:2:3", "circleci.app_ulr"},
        {"wrong type", "http:\n  max_retries: many\n", "<inline>:2:16", "http.max_retries"},
        {"plain http API", "circleci:\n  api_url: http://circleci.example.com/api/v2\n", "<inline>:2:12",
         "circleci.api_url"},
    };
    for (const auto& b : bad) {
        CAPTURE(b.what);
        std::string error;
        CHECK(p.reload_text(inst, b.yaml, error) == TJ_STATUS_BAD_CONFIG);
        INFO("error: " << error);
        CHECK(has_position_after(error, "<inline>:", false));
        CHECK(contains(error, ": error: "));
        if (!b.expect_position.empty()) {
            CHECK(contains(error, b.expect_position));
        }
        CHECK(contains(error, b.expect_text));
        expect_first_config();
    }
    {
        std::string error;
        CHECK(p.reload_text(inst, "circleci:\n  app_ulr: https://x.example.com\n", error) == TJ_STATUS_BAD_CONFIG);
        CHECK(contains(error, "did you mean 'app_url'"));
    }

    // From a file: the error names the file.
    const auto file = temp_file("bad.yaml", "circleci:\n  token_secret: OTHER_TOKEN\ntimeouts:\n  query_ms: -5\n");
    {
        tj_config_source source{{nullptr, 0}, view(file)};
        tj_plugin_owned_str e{};
        CHECK(p.api().reload(inst, &source, &e) == TJ_STATUS_BAD_CONFIG);
        const auto error = p.take(e);
        CHECK(contains(error, file + ":4:13: error: timeouts.query_ms"));
        expect_first_config();
        const std::string missing = "/nonexistent/circleci.yaml";
        source = {{nullptr, 0}, view(missing)};
        CHECK(p.api().reload(inst, &source, &e) == TJ_STATUS_BAD_CONFIG);
        CHECK(contains(p.take(e), missing));
        expect_first_config();
    }
    std::remove(file.c_str());

    // A valid reload takes effect.
    std::string error;
    REQUIRE(p.reload_text(inst, offline_config("  app_url: https://ci-two.example.com\n  token_secret: SECOND_TOKEN\n"),
                          error) == TJ_STATUS_OK);
    CHECK(error.empty());
    std::string out;
    REQUIRE(p.resolve(inst, context, out) == TJ_STATUS_OK);
    CHECK(token_secret_of(out) == "SECOND_TOKEN");
    REQUIRE(p.query(inst, context, out) == TJ_STATUS_OK);
    CHECK(contains(out, "https://ci-two.example.com"));
    CHECK_FALSE(contains(out, "https://ci-one.example.com"));

    p.api().destroy(inst);
    // Logs were delivered before destroy returned.
    CHECK(logs.has(TJ_LOG_WARN, "keeping the running config"));
    CHECK(logs.has(TJ_LOG_INFO, "reloaded"));
}

TEST_CASE("describe, with and without an instance") {
    Loaded p;
    tj_plugin_owned_str out{};
    REQUIRE(p.api().describe(nullptr, &out) == TJ_STATUS_OK);
    REQUIRE(out.ptr_plugin_owned != nullptr);
    CHECK(out.ptr_plugin_owned[out.len] == '\0');
    const auto d = boost::json::parse(p.take(out));
    CHECK(d.at("name") == "circleci");
    CHECK(d.at("version").is_string());
    CHECK(d.at("abi").at("major") == TJ_ABI_VERSION_MAJOR);
    CHECK(d.at("abi").at("minor") == TJ_ABI_VERSION_MINOR);
    CHECK(d.at("match") == boost::json::object{{"contextType", "*"}});
    CHECK(d.at("requiredSecrets") == boost::json::array{"CIRCLECI_TOKEN"});
    CHECK(d.at("description").is_string());
    CHECK_FALSE(d.as_object().contains("customDomains"));

    // Offline configs: an instance warms a connection to its API host, never to circleci.com here.
    tj_instance* inst = p.create(offline_config("  token_secret: OTHER_TOKEN\n"));
    REQUIRE(p.api().describe(inst, &out) == TJ_STATUS_OK);
    const auto di = boost::json::parse(p.take(out));
    CHECK(di.at("requiredSecrets").at(0) == "OTHER_TOKEN");
    CHECK(di.at("name") == d.at("name"));
    CHECK(di.at("match") == d.at("match"));
    CHECK_FALSE(di.as_object().contains("customDomains"));  // no url_pattern rule
    p.api().destroy(inst);

    // An instance's custom domains: the hosts of its url_pattern rules, lower-case, each once.
    inst = p.create(offline_config(
        "",
        "mapping:\n  rules:\n"
        "    - {url_pattern: \"https://Grafana.acme.io/d/*/{service}\", project: \"gh/acme/{service}\"}\n"
        "    - {url_pattern: \"https://grafana.acme.io/explore/{service}\", project: \"gh/acme/{service}\"}\n"
        "    - {url_pattern: \"http://kibana.acme.io:5601/app/{service}\", project: \"gh/acme/{service}\"}\n"));
    REQUIRE(p.api().describe(inst, &out) == TJ_STATUS_OK);
    const auto dd = boost::json::parse(p.take(out));
    CHECK(dd.at("customDomains") == boost::json::array{"grafana.acme.io", "kibana.acme.io"});
    p.api().destroy(inst);
}

TEST_CASE("release_str twice is a no-op") {
    Loaded p;
    tj_plugin_owned_str out{};
    REQUIRE(p.api().describe(nullptr, &out) == TJ_STATUS_OK);
    REQUIRE(out.ptr_plugin_owned != nullptr);
    p.api().release_str(&out);
    CHECK(out.ptr_plugin_owned == nullptr);
    CHECK(out.len == 0);
    p.api().release_str(&out);
    CHECK(out.ptr_plugin_owned == nullptr);
    tj_plugin_owned_str empty{};
    p.api().release_str(&empty);
    p.api().release_str(nullptr);
}

TEST_CASE("a config file path works like YAML text") {
    Loaded p;
    const auto file = temp_file("good.yaml", "circleci:\n  token_secret: FILE_TOKEN\n");
    tj_host_callbacks cb{};
    tj_config_source source{{nullptr, 0}, view(file)};
    tj_instance* inst = nullptr;
    tj_plugin_owned_str error{};
    REQUIRE(p.api().create(&cb, &source, &inst, &error) == TJ_STATUS_OK);
    std::string out;
    REQUIRE(p.resolve(inst, github_context("acme/webshop"), out) == TJ_STATUS_OK);
    CHECK(token_secret_of(out) == "FILE_TOKEN");
    p.api().destroy(inst);
    std::remove(file.c_str());

    // A bad file at create: BAD_CONFIG, no instance, and the message names file:line:column.
    const auto bad = temp_file("bad_create.yaml", "tls:\n  ca_file: /nonexistent/ca.pem\n");
    source = {{nullptr, 0}, view(bad)};
    inst = nullptr;
    CHECK(p.api().create(&cb, &source, &inst, &error) == TJ_STATUS_BAD_CONFIG);
    CHECK(inst == nullptr);
    CHECK(contains(p.take(error), bad + ":2:12: error: tls.ca_file"));
    std::remove(bad.c_str());
}

TEST_CASE("a blocking query from inside a completion callback is refused, not a deadlock") {
    Loaded p;
    tj_instance* inst = p.create(offline_config());
    struct Nested {
        const Loaded* p = nullptr;
        tj_instance* inst = nullptr;
        std::string context;
        Completions done;
        std::atomic<tj_status> nested{-1};
        std::string message;
    } n;
    n.p = &p;
    n.inst = inst;
    n.context = github_context("acme/webshop");
    std::uint64_t ticket = 0;
    REQUIRE(p.api().submit(
                inst, view(n.context), 0,
                [](void* data, uint64_t t, tj_status st, tj_str_view payload) {
                    auto* self = static_cast<Nested*>(data);
                    std::string out;
                    self->nested = self->p->query(self->inst, self->context, out);
                    self->message = out;
                    Completions::on_done(&self->done, t, st, payload);
                },
                &n, &ticket) == TJ_STATUS_OK);
    REQUIRE(n.done.wait_for(1));
    CHECK(n.nested.load() == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(contains(n.message, "deadlock"));
    p.api().destroy(inst);
}

namespace {

// A host's TJ_HOST_CACHE_V1 that records what the plugin purged, and on which thread.
struct CacheHost {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::string> tags;
    std::thread::id thread;
    std::atomic<int> extension_asks{0};

    static void invalidate(void* self, tj_str_view tag) {
        auto* h = static_cast<CacheHost*>(self);
        std::lock_guard lock(h->mutex);
        h->tags.emplace_back(tag.ptr ? tag.ptr : "", tag.len);
        h->thread = std::this_thread::get_id();
        h->cv.notify_all();
    }
    static const void* get_extension(void* self, const char* id) {
        static const tj_host_cache_v1 cache{invalidate};
        ++static_cast<CacheHost*>(self)->extension_asks;
        return id && std::string(id) == TJ_HOST_CACHE_V1 ? &cache : nullptr;
    }
    bool wait_for(std::size_t n) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, kSafetyNet, [&] { return tags.size() >= n; });
    }
};

// dlopen + init with a given host version: the plugin learns the host's minor from init().
struct LoadedAs {
    explicit LoadedAs(tj_abi_version host) {
        handle = dlopen(TJC_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
        REQUIRE(handle);
        entry = static_cast<const tj_plugin_entry*>(dlsym(handle, TJ_PLUGIN_ENTRY_SYMBOL));
        REQUIRE(entry);
        REQUIRE(entry->init(host) == TJ_STATUS_OK);
        api = static_cast<const tj_plugin_api_v1*>(entry->get_api(TJ_PLUGIN_API_V1));
        events = static_cast<const tj_plugin_events_v1*>(entry->get_api(TJ_PLUGIN_EVENTS_V1));
        REQUIRE(api);
    }
    ~LoadedAs() {
        entry->deinit();
        dlclose(handle);
    }
    LoadedAs(const LoadedAs&) = delete;
    LoadedAs& operator=(const LoadedAs&) = delete;
    void* handle = nullptr;
    const tj_plugin_entry* entry = nullptr;
    const tj_plugin_api_v1* api = nullptr;
    const tj_plugin_events_v1* events = nullptr;
};

const std::string kEvent =
    R"({"source":"circleci","type":"workflow-completed","id":"e1","payload":{"project":{"slug":"github/Acme/Passing"},)"
    R"("pipeline":{"vcs":{"branch":"main"}}}})";

}  // namespace

TEST_CASE("ABI 1.2: get_extension is read only from a host of 1.2 (an older host's struct ends before it)") {
    for (const std::uint32_t minor : {0u, 1u}) {
        CAPTURE(minor);
        LoadedAs plugin({TJ_ABI_VERSION_MAJOR, minor});
        CacheHost host;
        // The field is there and would answer: a plugin honouring the rule never calls it.
        const tj_host_callbacks cb{&host, nullptr, test_secret, CacheHost::get_extension};
        const auto yaml = offline_config();
        tj_config_source source{view(yaml), {nullptr, 0}};
        tj_instance* inst = nullptr;
        tj_plugin_owned_str error{};
        REQUIRE(plugin.api->create(&cb, &source, &inst, &error) == TJ_STATUS_OK);
        REQUIRE(plugin.events);
        CHECK(plugin.events->notify(inst, view(kEvent)) == TJ_STATUS_OK);
        plugin.api->destroy(inst);
        CHECK(host.extension_asks == 0);
        CHECK(host.tags.empty());
    }
}

TEST_CASE("ABI 1.2: notify takes CircleCI events, the host's cache hears of the project on the callback thread") {
    LoadedAs plugin({TJ_ABI_VERSION_MAJOR, 2});
    REQUIRE(plugin.events);
    CacheHost host;
    const tj_host_callbacks cb{&host, nullptr, test_secret, CacheHost::get_extension};
    const auto yaml = offline_config();
    tj_config_source source{view(yaml), {nullptr, 0}};
    tj_instance* inst = nullptr;
    tj_plugin_owned_str error{};
    REQUIRE(plugin.api->create(&cb, &source, &inst, &error) == TJ_STATUS_OK);
    CHECK(host.extension_asks >= 1);
    CHECK(plugin.events->notify(inst, view(kEvent)) == TJ_STATUS_OK);
    REQUIRE(host.wait_for(1));
    {
        std::lock_guard lock(host.mutex);
        CHECK(host.tags.front() == "gh/acme/passing");     // the webhook's github/ form, as the API says it
        CHECK(host.thread != std::this_thread::get_id());  // the instance's callback thread, not ours
    }
    // Nothing of this plugin, and things that are not events.
    CHECK(
        plugin.events->notify(inst, view(std::string(R"({"source":"github","type":"push","id":"x","payload":{}})"))) ==
        TJ_STATUS_NO_MATCH);
    CHECK(plugin.events->notify(inst,
                                view(std::string(R"({"source":"circleci","type":"ping","id":"x","payload":{}})"))) ==
          TJ_STATUS_NO_MATCH);
    CHECK(plugin.events->notify(inst, view(std::string("{not json"))) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(plugin.events->notify(inst, view(std::string("[]"))) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(plugin.events->notify(nullptr, view(kEvent)) == TJ_STATUS_INVALID_ARGUMENT);
    CHECK(plugin.events->notify(inst, tj_str_view{nullptr, 5}) == TJ_STATUS_INVALID_ARGUMENT);
    plugin.api->destroy(inst);
    std::lock_guard lock(host.mutex);
    CHECK(host.tags.size() == 1);  // only the event that concerned it
}
