#include "session.hpp"

#include "plugin_search.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace tjhost {

namespace {

void log_line(const std::string& name, const char* level, std::string_view message) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::fprintf(stderr, "[%s] %s: %.*s\n", name.c_str(), level, static_cast<int>(message.size()), message.data());
}

const char* level_name(tj_log_level level) {
    return level >= TJ_LOG_ERROR ? "error" : level == TJ_LOG_WARN ? "warn" : level == TJ_LOG_INFO ? "info" : "debug";
}

const tj_host_cache_v1 kHostCache{[](void* self, tj_str_view tag) {
    auto& session = *static_cast<Session*>(self);
    if (session.hooks.invalidate) {
        session.hooks.invalidate(session.manifest.name, std::string_view(tag.ptr ? tag.ptr : "", tag.len));
    }
}};

// tj_host_callbacks.get_extension: what this session offers (NULL for any other id).
const void* host_extension(const Session& session, const char* id) {
    if (id && session.hooks.invalidate && std::strcmp(id, TJ_HOST_CACHE_V1) == 0) {
        return &kHostCache;
    }
    return nullptr;
}

}  // namespace

std::string default_manifest_path(const std::string& plugin_path) {
    return (std::filesystem::path(plugin_path).parent_path() / "manifest.yaml").string();
}

boost::json::value describe_static(const Plugin& p) {
    tj_plugin_owned_str out{};
    if (p.api().describe(nullptr, &out) != TJ_STATUS_OK) {
        throw std::runtime_error("describe() failed: " + p.take(out));
    }
    return boost::json::parse(p.take(out));
}

Session::Session(const std::string& plugin_arg, const std::string& manifest_path, const std::string& config,
                 SessionHooks session_hooks)
    : plugin(find_plugin(plugin_arg)),
      manifest(load_manifest(manifest_path.empty() ? default_manifest_path(plugin.path()) : manifest_path)),
      config_path(config),
      hooks(std::move(session_hooks)) {
    if (auto diff = compare_with_description(manifest, describe_static(plugin)); !diff.empty()) {
        throw std::runtime_error("plugin " + plugin.path() + " disagrees with " + manifest.path + ": " + diff);
    }
    for (const auto& s : manifest.required_secrets) {
        declare_secret(s);
    }
    tj_host_callbacks cb{};
    cb.host_data = this;
    cb.log = [](void* self, tj_log_level level, tj_str_view msg) {
        log_line(static_cast<Session*>(self)->manifest.name, level_name(level),
                 std::string_view(msg.ptr ? msg.ptr : "", msg.len));
    };
    cb.get_secret = [](void* self, tj_str_view name, tj_secret_sink sink, void* data) {
        return SecretStore::callback(&static_cast<Session*>(self)->secrets, name, sink, data);
    };
    cb.get_extension = [](void* self, const char* id) -> const void* {
        return host_extension(*static_cast<Session*>(self), id);
    };
    instance = std::make_unique<PluginInstance>(plugin, cb, config_path);
    if (!declare_described_secrets()) {
        throw std::runtime_error("the plugin's description has no requiredSecrets list");
    }
}

bool Session::declare_described_secrets() {
    // The config may name more secrets than the manifest (per-project tokens): the plugin's
    // description with an instance lists them.
    const auto desc = instance->describe();
    if (!desc.ok()) {
        return true;  // a plugin that cannot describe its instance declares nothing more
    }
    boost::system::error_code ec;
    auto d = boost::json::parse(desc.payload, ec);
    const auto* list = !ec && d.is_object() ? d.as_object().if_contains("requiredSecrets") : nullptr;
    if (!list || !list->is_array()) {
        return false;
    }
    for (const auto& s : list->as_array()) {
        if (s.is_string()) {
            declare_secret(std::string(s.as_string()));
        }
    }
    return true;
}

void Session::declare_secret(const std::string& name) {
    if (auto problem = secrets.declare(name); !problem.empty()) {
        log_line(manifest.name, "warn", problem);
    }
}

Session::~Session() = default;

tjc::Expected<tjc::Done> Session::reload() {
    for (const auto& problem : secrets.reload()) {
        log_line(manifest.name, "warn", problem);
    }
    auto reloaded = instance->reload(config_path);
    if (reloaded) {
        (void)declare_described_secrets();  // the new config may name new secrets
    }
    return reloaded;
}

bool Session::has_required_secrets() const {
    for (const auto& s : manifest.required_secrets) {
        if (!secrets.get(s)) {
            return false;
        }
    }
    return true;
}

}  // namespace tjhost
