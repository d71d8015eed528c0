// dlopen a plugin, check its ABI version, init it and fetch TJ_PLUGIN_API_V1 (and the optional
// TJ_PLUGIN_STATS_V1 and TJ_PLUGIN_EVENTS_V1: plugins of minor 0 or 1 lack them, and load all
// the same).
#pragma once

#include <tooljump/plugin.h>

#include <string>

namespace tjhost {

class Plugin {
public:
    // Throws std::runtime_error with a message naming the path and what was wrong.
    explicit Plugin(const std::string& path);
    ~Plugin();
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    [[nodiscard]] const tj_plugin_api_v1& api() const noexcept { return *api_; }
    [[nodiscard]] const tj_plugin_entry& entry() const noexcept { return *entry_; }
    // NULL when the plugin has no stats api.
    [[nodiscard]] const tj_plugin_stats_v1* stats_api() const noexcept { return stats_; }
    // NULL when the plugin has no events api (ABI 1.0, 1.1, or a plugin that takes no events).
    [[nodiscard]] const tj_plugin_events_v1* events_api() const noexcept { return events_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

    // Takes a plugin-owned string, releases it, returns a copy.
    std::string take(tj_plugin_owned_str& s) const;

private:
    std::string path_;
    void* handle_ = nullptr;
    const tj_plugin_entry* entry_ = nullptr;
    const tj_plugin_api_v1* api_ = nullptr;
    const tj_plugin_stats_v1* stats_ = nullptr;
    const tj_plugin_events_v1* events_ = nullptr;
    bool initialized_ = false;
};

}  // namespace tjhost
