#include "loader.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace tjhost {

Plugin::Plugin(const std::string& path) : path_(path) {
    // RTLD_LOCAL: two plugins' private copies of Boost never meet.
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
        throw std::runtime_error("cannot load plugin " + path + ": " + dlerror());
    }
    try {
        entry_ = static_cast<const tj_plugin_entry*>(dlsym(handle_, TJ_PLUGIN_ENTRY_SYMBOL));
        if (!entry_) {
            throw std::runtime_error("plugin " + path +
                                     " does not export " TJ_PLUGIN_ENTRY_SYMBOL ": not a ToolJump native plugin");
        }
        const auto v = entry_->abi_version;
        if (v.major != TJ_ABI_VERSION_MAJOR) {
            throw std::runtime_error("plugin " + path + " speaks ABI " + std::to_string(v.major) + "." +
                                     std::to_string(v.minor) + ", this host speaks " +
                                     std::to_string(TJ_ABI_VERSION_MAJOR) + "." + std::to_string(TJ_ABI_VERSION_MINOR) +
                                     ": major versions differ");
        }
        if (!entry_->init || !entry_->deinit || !entry_->get_api) {
            throw std::runtime_error("plugin " + path + " has an incomplete entry (init/deinit/get_api missing)");
        }
        const auto st = entry_->init(tj_abi_version{TJ_ABI_VERSION_MAJOR, TJ_ABI_VERSION_MINOR});
        if (st != TJ_STATUS_OK) {
            throw std::runtime_error("plugin " + path + " refused this host in init() (status " + std::to_string(st) +
                                     ")");
        }
        initialized_ = true;
        api_ = static_cast<const tj_plugin_api_v1*>(entry_->get_api(TJ_PLUGIN_API_V1));
        if (!api_) {
            throw std::runtime_error("plugin " + path + " does not provide " TJ_PLUGIN_API_V1);
        }
        // Optional (ABI 1.1); a stats struct without its function counts as none.
        stats_ = static_cast<const tj_plugin_stats_v1*>(entry_->get_api(TJ_PLUGIN_STATS_V1));
        if (stats_ && !stats_->stats) {
            stats_ = nullptr;
        }
        // Optional (ABI 1.2), likewise; a 1.0/1.1 plugin does not know the id and says NULL.
        if (v.minor >= 2) {
            events_ = static_cast<const tj_plugin_events_v1*>(entry_->get_api(TJ_PLUGIN_EVENTS_V1));
            if (events_ && !events_->notify) {
                events_ = nullptr;
            }
        }
    } catch (...) {
        if (initialized_) {
            entry_->deinit();
        }
        dlclose(handle_);
        throw;
    }
}

Plugin::~Plugin() {
    if (initialized_) {
        entry_->deinit();
    }
    if (handle_) {
        dlclose(handle_);
    }
}

std::string Plugin::take(tj_plugin_owned_str& s) const {
    std::string out = s.ptr_plugin_owned ? std::string(s.ptr_plugin_owned, s.len) : std::string();
    api_->release_str(&s);
    return out;
}

}  // namespace tjhost
