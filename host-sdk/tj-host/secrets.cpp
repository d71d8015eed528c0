#include "secrets.hpp"

#include <cstdlib>

namespace tjhost {

void SecretStore::declare(const std::string& name) {
    std::lock_guard lock(mutex_);
    declared_.insert(name);
}

std::optional<std::string> SecretStore::get(std::string_view name) const {
    {
        std::lock_guard lock(mutex_);
        if (!declared_.contains(name)) return std::nullopt;
    }
    const auto var = "INTEGRATION_" + std::string(name);
    const char* value = std::getenv(var.c_str());
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

tj_status SecretStore::callback(void* host_data, tj_str_view name, tj_secret_sink sink, void* sink_data) {
    const auto* store = static_cast<const SecretStore*>(host_data);
    if (!store || !sink || (!name.ptr && name.len)) return TJ_STATUS_INVALID_ARGUMENT;
    auto value = store->get(std::string_view(name.ptr ? name.ptr : "", name.len));
    if (!value) return TJ_STATUS_NO_MATCH;
    sink(sink_data, tj_str_view{value->data(), value->size()});
    return TJ_STATUS_OK;
}

}  // namespace tjhost
