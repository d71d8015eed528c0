// The host's secret store. A secret NAME (e.g. CIRCLECI_TOKEN) is read from the first of:
//   INTEGRATION_<NAME>             the value itself (ToolJump's stock store)
//   INTEGRATION_<NAME>_FILE        the path of a file that holds it
//   $CREDENTIALS_DIRECTORY/<NAME>  a systemd credential (LoadCredential=<NAME>:...)
// A file's trailing whitespace (its newline) is not part of the value. Values are read when a
// name is declared and again on reload() (tj-host serve: SIGHUP), never on a query's path, so
// a rotated file takes effect at the next reload, between two requests. Only declared names
// (the manifest's requiredSecrets and those the plugin's config names) are handed out.
// Thread-safe. Values are wiped from memory when replaced or dropped.
#pragma once

#include "tjc/mutex.hpp"

#include <tooljump/plugin.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tjhost {

class SecretStore {
public:
    // Reads an environment variable (nullopt when unset); the process environment by default.
    using Environment = std::function<std::optional<std::string>(const std::string& name)>;

    explicit SecretStore(Environment env = {});
    ~SecretStore();
    SecretStore(const SecretStore&) = delete;
    SecretStore& operator=(const SecretStore&) = delete;

    // Declares a name and reads its value now. Returns a problem ("" when none): a _FILE or a
    // credential that names an unreadable file. The value is then absent, not an error.
    std::string declare(const std::string& name);

    // Reads every declared secret again; a secret whose source is gone becomes absent.
    // Returns the problems, one line each (names and paths, never values).
    std::vector<std::string> reload();

    // nullopt for an undeclared name or one without a value.
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const;

    // Where a declared secret's value comes from ("INTEGRATION_X", "INTEGRATION_X_FILE=/p",
    // "credential /run/credentials/.../X"), "" when it has none. For logs: never the value.
    [[nodiscard]] std::string source_of(std::string_view name) const;

    // tj_host_callbacks.get_secret; host_data is the SecretStore.
    static tj_status callback(void* host_data, tj_str_view name, tj_secret_sink sink, void* sink_data);

private:
    struct Entry {
        std::string value;  // "" = none
        std::string source;
    };
    // Reads one secret from its sources (no lock held: file I/O).
    Entry read(const std::string& name, std::string& problem) const;

    Environment env_;
    mutable tjc::Mutex mutex_;
    std::map<std::string, Entry, std::less<>> entries_ TJC_GUARDED_BY(mutex_);
};

}  // namespace tjhost
