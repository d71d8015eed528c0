// ToolJump's stock secret store: the secret NAME is the environment variable
// INTEGRATION_NAME. Only declared secrets are handed out.
#pragma once

#include <tooljump/plugin.h>

#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace tjhost {

class SecretStore {
public:
    void declare(const std::string& name);
    // nullopt for an undeclared name or an unset variable.
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const;

    // tj_host_callbacks.get_secret; host_data is the SecretStore.
    static tj_status callback(void* host_data, tj_str_view name, tj_secret_sink sink, void* sink_data);

private:
    mutable std::mutex mutex_;
    std::set<std::string, std::less<>> declared_;
};

}  // namespace tjhost
