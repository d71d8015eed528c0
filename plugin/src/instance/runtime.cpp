#include "instance/runtime.hpp"

#include <algorithm>

namespace tjc {

net::HttpClientOptions http_client_options(const config::Config& config) {
    using std::chrono::milliseconds;
    net::HttpClientOptions o;
    o.connect_timeout = milliseconds(config.timeouts.connect_ms);
    o.handshake_timeout = milliseconds(config.timeouts.tls_handshake_ms);
    o.request_timeout = milliseconds(config.timeouts.request_ms);
    o.max_connections_per_host = std::max<unsigned>(1, config.http.max_connections_per_host);
    o.max_response_bytes = config.http.max_response_bytes;
    o.max_retries = config.http.max_retries;
    o.ca_file = config.tls.ca_file;
    o.proxy_url = config.proxy.url;
    o.proxy_env = net::proxy_env_from_process();
    return o;
}

std::shared_ptr<Runtime> Runtime::make(boost::asio::any_io_executor executor,
                                       std::shared_ptr<const config::Config> config,
                                       const std::shared_ptr<PluginStats>& counters) {
    auto rt = std::make_shared<Runtime>();
    rt->config = std::move(config);
    auto options = http_client_options(*rt->config);
    options.on_attempt = [counters](unsigned status, const std::string& secret_name) {
        counters->upstream(status, secret_name);
    };
    rt->http = std::make_unique<net::HttpClient>(std::move(executor), std::move(options));
    circleci::ClientOptions opts;
    opts.limits.max_body_bytes = rt->config->http.max_response_bytes;
    auto api = circleci::Client::create(*rt->http, rt->config->circleci.api_url, opts);
    if (api) {
        rt->api.emplace(std::move(api).value());
    } else {
        rt->error = api.error();
    }
    return rt;
}

}  // namespace tjc
