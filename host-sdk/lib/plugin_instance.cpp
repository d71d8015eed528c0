#include "plugin_instance.hpp"

#include <memory>

namespace tjhost {

namespace {

tj_str_view view(std::string_view s) { return {s.data(), s.size()}; }

tj_config_source file_source(const std::string& path) { return {{nullptr, 0}, {path.data(), path.size()}}; }

}  // namespace

PluginInstance::PluginInstance(const Plugin& plugin, const tj_host_callbacks& callbacks, const std::string& config_path)
    : plugin_(plugin) {
    const auto source = file_source(config_path);
    tj_plugin_owned_str error{};
    if (plugin_.api().create(&callbacks, &source, &instance_, &error) != TJ_STATUS_OK) {
        instance_ = nullptr;
        throw ConfigRejected("the plugin rejected its config:\n" + plugin_.take(error));
    }
    plugin_.take(error);
}

PluginInstance::~PluginInstance() { plugin_.api().destroy(instance_); }

PluginAnswer PluginInstance::query(std::string_view context_json, std::uint32_t timeout_ms) const {
    tj_plugin_owned_str out{};
    PluginAnswer a;
    a.status = plugin_.api().query(instance_, view(context_json), timeout_ms, &out);
    a.payload = plugin_.take(out);
    return a;
}

tj_status PluginInstance::submit(std::string_view context_json, std::uint32_t timeout_ms, Completion done,
                                 std::uint64_t* ticket) const {
    // Owned by the plugin's one completion, or freed here when there will be none.
    auto owned = std::make_unique<Completion>(std::move(done));
    const auto st = plugin_.api().submit(
        instance_, view(context_json), timeout_ms,
        [](void* user, std::uint64_t t, tj_status status, tj_str_view payload) {
            std::unique_ptr<Completion> fn(static_cast<Completion*>(user));
            (*fn)(t, status, std::string_view(payload.ptr ? payload.ptr : "", payload.len));
        },
        owned.get(), ticket);
    if (st == TJ_STATUS_OK) {
        (void)owned.release();
    }
    return st;
}

tj_status PluginInstance::cancel(std::uint64_t ticket) const { return plugin_.api().cancel(instance_, ticket); }

PluginAnswer PluginInstance::resolve(std::string_view context_json) const {
    tj_plugin_owned_str out{};
    PluginAnswer a;
    a.status = plugin_.api().resolve(instance_, view(context_json), &out);
    a.payload = plugin_.take(out);
    return a;
}

PluginAnswer PluginInstance::describe() const {
    tj_plugin_owned_str out{};
    PluginAnswer a;
    a.status = plugin_.api().describe(instance_, &out);
    a.payload = plugin_.take(out);
    return a;
}

tjc::Expected<tjc::Done> PluginInstance::reload(const std::string& config_path) const {
    const auto source = file_source(config_path);
    tj_plugin_owned_str error{};
    const auto st = plugin_.api().reload(instance_, &source, &error);
    auto message = plugin_.take(error);
    if (st == TJ_STATUS_OK) {
        return tjc::Done{};
    }
    return tjc::Error{message.empty() ? "reload refused (status " + std::to_string(st) + ")" : message};
}

std::optional<std::string> PluginInstance::stats() const {
    const auto* api = plugin_.stats_api();
    if (!api) {
        return std::nullopt;
    }
    tj_plugin_owned_str out{};
    const auto st = api->stats(instance_, &out);
    auto json = plugin_.take(out);
    if (st != TJ_STATUS_OK) {
        return std::nullopt;
    }
    return json;
}

tj_status PluginInstance::notify(std::string_view event_json) const {
    const auto* api = plugin_.events_api();
    if (!api) {
        return TJ_STATUS_UNSUPPORTED;
    }
    return api->notify(instance_, view(event_json));
}

}  // namespace tjhost
