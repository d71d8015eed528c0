// What fetches run on under one config: the HTTP client (its pool; the process's TLS context
// for its settings) and the typed CircleCI client over it. Made on the io thread, replaced
// when the config changes, kept alive by the fetches still running on it.
#pragma once

#include "circleci/client.hpp"
#include "config/config.hpp"
#include "instance/stats.hpp"
#include "net/http_client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <optional>
#include <string>

namespace tjc {

// The timeouts, http and tls sections of the config; the proxy from proxy.url or the process
// environment (read now).
net::HttpClientOptions http_client_options(const config::Config& config);

struct Runtime {
    std::shared_ptr<const config::Config> config;
    std::unique_ptr<net::HttpClient> http;
    std::optional<circleci::Client> api;
    std::string error;  // why api is empty (a bad api_url cannot pass config validation)

    // A runtime on `executor` (the io thread's, run by one thread); every upstream attempt is
    // counted in `counters`.
    static std::shared_ptr<Runtime> make(boost::asio::any_io_executor executor,
                                         std::shared_ptr<const config::Config> config,
                                         const std::shared_ptr<PluginStats>& counters);
};

}  // namespace tjc
