// The real plugin (dlopen) against the CircleCI test server, with a RecordingHost: the setup
// the host-fault and bounds tests share. Header-only.
#pragma once

#include "recording_host.hpp"
#include "test_server.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

namespace tjtest {

struct PluginFixture {
    tjc::testing::TestServer server{
        tjc::testing::TestServerOptions{TJC_FIXTURES_DIR "/world.json", std::string(kSecretToken)}};
    tjhost::Plugin plugin{TJC_PLUGIN_PATH};
    RecordingHost host;

    std::string yaml(const std::string& more = "") const {
        // A roomy query_ms: a first query also makes the TLS context, slow under TSan.
        return "circleci:\n  api_url: " + server.base_url() + "\ntls:\n  ca_file: " + server.ca_file() +
               "\ntimeouts:\n  query_ms: 15000\n" + more;
    }
    tj_instance* create(const std::string& config, tj_host_callbacks* cb_override = nullptr) {
        tj_host_callbacks cb = cb_override ? *cb_override : host.callbacks();
        tj_config_source src{view(config), {nullptr, 0}};
        tj_instance* inst = nullptr;
        tj_plugin_owned_str err{};
        const auto st = plugin.api().create(&cb, &src, &inst, &err);
        INFO(plugin.take(err));
        REQUIRE(st == TJ_STATUS_OK);
        return inst;
    }
    tj_status query(tj_instance* inst, const std::string& ctx, std::string& out, std::uint32_t timeout_ms = 0) {
        tj_plugin_owned_str s{};
        const auto st = plugin.api().query(inst, view(ctx), timeout_ms, &s);
        out = plugin.take(s);
        return st;
    }
    tj_status reload(tj_instance* inst, const std::string& config, std::string& error) {
        tj_config_source src{view(config), {nullptr, 0}};
        tj_plugin_owned_str e{};
        const auto st = plugin.api().reload(inst, &src, &e);
        error = plugin.take(e);
        return st;
    }
    // Polls until pred holds (a safety net of 15 s, never a timing claim).
    template <class Pred>
    static bool eventually(Pred pred) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (!pred()) {
            if (std::chrono::steady_clock::now() > until) {
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return true;
    }
};

}  // namespace tjtest
