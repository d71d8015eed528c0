// A plugin instance as a C++ value, for C++ hosts: created from a loaded Plugin, destroyed
// with the object; every string the plugin hands out is copied and released at once, so no
// plugin memory outlives a call; submit() takes any callable.
//
// Threads: as plugin.h says for each function (describe, query, resolve, reload, submit,
// cancel, stats, notify: any thread). The destructor is destroy(): a host thread, never inside one of
// the instance's own callbacks, after every other call on it has returned.
#pragma once

#include "loader.hpp"
#include "tjc/expected.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tjhost {

// The plugin rejected its config (a user error, not a plugin failure).
struct ConfigRejected : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A status with the string the plugin returned beside it (results, explanation or message).
struct PluginAnswer {
    tj_status status = TJ_STATUS_INTERNAL;
    std::string payload;
    [[nodiscard]] bool ok() const noexcept { return status == TJ_STATUS_OK; }
};

class PluginInstance {
public:
    // Runs exactly once per accepted submit(), on the instance's callback thread; the payload
    // is borrowed for the call.
    using Completion = std::function<void(std::uint64_t ticket, tj_status status, std::string_view payload)>;

    // create() with a config file ("" = the plugin's defaults). The callbacks are copied; their
    // host_data must outlive the instance. Throws ConfigRejected with the plugin's message.
    PluginInstance(const Plugin& plugin, const tj_host_callbacks& callbacks, const std::string& config_path);
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    // Blocking query: the results JSON, or the message.
    [[nodiscard]] PluginAnswer query(std::string_view context_json, std::uint32_t timeout_ms) const;
    // Asynchronous query. On TJ_STATUS_OK `done` runs later, exactly once; on any other status
    // it never runs (and is destroyed here). *ticket is set before `done` can run.
    tj_status submit(std::string_view context_json, std::uint32_t timeout_ms, Completion done,
                     std::uint64_t* ticket) const;
    tj_status cancel(std::uint64_t ticket) const;
    // resolve(): the explanation JSON (TJ_STATUS_OK or TJ_STATUS_NO_MATCH), or the message.
    [[nodiscard]] PluginAnswer resolve(std::string_view context_json) const;
    // describe() with this instance: the secrets its config names are listed too.
    [[nodiscard]] PluginAnswer describe() const;
    // reload() from a config file; on error the plugin's message (the running config is kept).
    [[nodiscard]] tjc::Expected<tjc::Done> reload(const std::string& config_path) const;
    // The stats api's JSON; nullopt when the plugin has none (ABI 1.0) or it failed.
    [[nodiscard]] std::optional<std::string> stats() const;
    // The events api's notify(); TJ_STATUS_UNSUPPORTED when the plugin has none (before 1.2).
    tj_status notify(std::string_view event_json) const;

    [[nodiscard]] const Plugin& plugin() const noexcept { return plugin_; }
    [[nodiscard]] tj_instance* get() const noexcept { return instance_; }

private:
    const Plugin& plugin_;
    tj_instance* instance_ = nullptr;
};

}  // namespace tjhost
