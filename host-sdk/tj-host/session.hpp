// A loaded, validated plugin with one instance: shared by `tj-host query|resolve` and
// `tj-host serve`.
#pragma once

#include "loader.hpp"
#include "manifest.hpp"
#include "secrets.hpp"

#include <boost/json/value.hpp>

#include <stdexcept>
#include <string>

namespace tjhost {

// The plugin rejected its config (a user error, not a plugin failure).
struct ConfigRejected : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The manifest is `manifest_path` ("" = manifest.yaml beside the library); the config is a
// YAML file ("" = the plugin's defaults). Throws std::runtime_error when the plugin cannot be
// loaded or disagrees with its manifest, ConfigRejected when create() refuses the config.
// Plugin logs go to stderr, prefixed with the manifest's name.
struct Session {
    Plugin plugin;
    Manifest manifest;
    SecretStore secrets;
    std::string config_path;
    tj_instance* instance = nullptr;

    Session(const std::string& plugin_path, const std::string& manifest_path, const std::string& config_path);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // reload() with the config file again: "" on success, else the plugin's message (the
    // running config is kept). [any-thread]
    [[nodiscard]] std::string reload();

    // True when every secret the manifest requires is set.
    [[nodiscard]] bool has_required_secrets() const;
};

std::string default_manifest_path(const std::string& plugin_path);

// The plugin's description without an instance; throws std::runtime_error.
boost::json::value describe_static(const Plugin& p);

}  // namespace tjhost
