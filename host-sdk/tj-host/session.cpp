#include "session.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>
#include <mutex>

namespace tjhost {

namespace {

void log_to_stderr(const std::string& name, tj_log_level level, tj_str_view message) {
    static std::mutex mutex;
    const char* lv = level >= TJ_LOG_ERROR ? "error" : level == TJ_LOG_WARN ? "warn" : level == TJ_LOG_INFO ? "info" : "debug";
    std::lock_guard lock(mutex);
    std::fprintf(stderr, "[%s] %s: %.*s\n", name.c_str(), lv, static_cast<int>(message.len),
                 message.ptr ? message.ptr : "");
}

}  // namespace

std::string default_manifest_path(const std::string& plugin_path) {
    return (std::filesystem::path(plugin_path).parent_path() / "manifest.yaml").string();
}

boost::json::value describe_static(const Plugin& p) {
    tj_plugin_owned_str out{};
    if (p.api().describe(nullptr, &out) != TJ_STATUS_OK) throw std::runtime_error("describe() failed: " + p.take(out));
    return boost::json::parse(p.take(out));
}

Session::Session(const std::string& plugin_path, const std::string& manifest_path, const std::string& config)
    : plugin(plugin_path),
      manifest(load_manifest(manifest_path.empty() ? default_manifest_path(plugin_path) : manifest_path)),
      config_path(config) {
    if (auto diff = compare_with_description(manifest, describe_static(plugin)); !diff.empty())
        throw std::runtime_error("plugin " + plugin.path() + " disagrees with " + manifest.path + ": " + diff);
    for (const auto& s : manifest.required_secrets) secrets.declare(s);
    tj_host_callbacks cb{};
    cb.host_data = this;
    cb.log = [](void* self, tj_log_level level, tj_str_view msg) {
        log_to_stderr(static_cast<Session*>(self)->manifest.name, level, msg);
    };
    cb.get_secret = [](void* self, tj_str_view name, tj_secret_sink sink, void* data) {
        return SecretStore::callback(&static_cast<Session*>(self)->secrets, name, sink, data);
    };
    tj_config_source source{{nullptr, 0}, {config_path.data(), config_path.size()}};
    tj_plugin_owned_str error{};
    if (plugin.api().create(&cb, &source, &instance, &error) != TJ_STATUS_OK)
        throw ConfigRejected("the plugin rejected its config:\n" + plugin.take(error));
    // The config may name more secrets (per-project tokens): the plugin declares them.
    tj_plugin_owned_str desc{};
    if (plugin.api().describe(instance, &desc) == TJ_STATUS_OK) {
        try {
            auto d = boost::json::parse(plugin.take(desc));
            for (const auto& s : d.as_object().at("requiredSecrets").as_array())
                secrets.declare(std::string(s.as_string()));
        } catch (const std::exception& e) {
            // The constructor throws: the destructor will not run, so give the instance back.
            plugin.api().destroy(instance);
            throw std::runtime_error(std::string("the plugin's description is not valid JSON: ") + e.what());
        }
    }
}

Session::~Session() { plugin.api().destroy(instance); }

std::string Session::reload() {
    tj_config_source source{{nullptr, 0}, {config_path.data(), config_path.size()}};
    tj_plugin_owned_str error{};
    if (plugin.api().reload(instance, &source, &error) != TJ_STATUS_OK) return plugin.take(error);
    plugin.take(error);
    return {};
}

bool Session::has_required_secrets() const {
    for (const auto& s : manifest.required_secrets) {
        if (!secrets.get(s)) return false;
    }
    return true;
}

}  // namespace tjhost
