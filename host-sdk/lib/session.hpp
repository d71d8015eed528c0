// A loaded, validated plugin with one instance and the secrets it may ask for: what
// `tj-host query|resolve` and each integration of `tj-host serve` run on.
#pragma once

#include "loader.hpp"
#include "manifest.hpp"
#include "plugin_instance.hpp"
#include "secrets.hpp"

#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tjhost {

// plugin: a path or an installed plugin's name (plugin_search.hpp). The manifest is
// `manifest_path` ("" = manifest.yaml beside the library); the config is a YAML file ("" =
// the plugin's defaults). Throws std::runtime_error when the plugin cannot be found or loaded
// or disagrees with its manifest, ConfigRejected when create() refuses the config. Plugin logs
// go to stderr, prefixed with the manifest's name; problems reading a secret too (never a value).
// What a host lends its plugins beyond logs and secrets (tj_host_callbacks.get_extension).
struct SessionHooks {
    // Offered as TJ_HOST_CACHE_V1 when set: the plugin named `integration` asks the host's
    // result cache to drop what it keeps tagged with `tag`. Runs on the plugin's callback thread.
    std::function<void(const std::string& integration, std::string_view tag)> invalidate;
};

struct Session {
    Plugin plugin;
    Manifest manifest;
    SecretStore secrets;
    std::string config_path;
    std::unique_ptr<PluginInstance> instance;  // declared last: destroyed first

    Session(const std::string& plugin, const std::string& manifest_path, const std::string& config_path,
            SessionHooks hooks = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // reload() with the config file again, and every secret read again; on error the plugin's
    // message (the running config is kept). [any-thread]
    [[nodiscard]] tjc::Expected<tjc::Done> reload();

    // True when every secret the manifest requires has a value.
    [[nodiscard]] bool has_required_secrets() const;

    // The hooks lent to the plugin; fixed at construction (the plugin may call them any time).
    const SessionHooks hooks;

private:
    // Declares the secrets the instance's description lists; false when it lists none.
    bool declare_described_secrets();
    void declare_secret(const std::string& name);
};

std::string default_manifest_path(const std::string& plugin_path);

// The plugin's description without an instance; throws std::runtime_error.
boost::json::value describe_static(const Plugin& p);

}  // namespace tjhost
