// dlopen a plugin, check its ABI version, init it and fetch TJ_PLUGIN_API_V1.
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
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

    // Takes a plugin-owned string, releases it, returns a copy.
    std::string take(tj_plugin_owned_str& s) const;

private:
    std::string path_;
    void* handle_ = nullptr;
    const tj_plugin_entry* entry_ = nullptr;
    const tj_plugin_api_v1* api_ = nullptr;
    bool initialized_ = false;
};

}  // namespace tjhost
