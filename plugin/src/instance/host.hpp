// What an instance needs from its host, in C++ terms. abi/ adapts tj_host_callbacks to it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tjc {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

struct Host {
    // The host's: called only from the instance's callback thread (Instance::Impl::log).
    std::function<void(LogLevel, std::string_view)> log;
    // Called from the thread that submits a query; nullopt when the host has no such secret.
    std::function<std::optional<std::string>(std::string_view name)> secret;
    // The host's result cache (TJ_HOST_CACHE_V1, a host of ABI 1.2): drop what it keeps tagged
    // with this project slug. Empty when the host offers none. In the instance: called only on
    // its callback thread; the engine's copy posts there (Instance::create).
    std::function<void(std::string_view tag)> invalidate;
};

}  // namespace tjc
