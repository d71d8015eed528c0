#include "serve_options.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>

namespace tjhost {

const char* const kServeUsage =
    "  tj-host serve --plugin SO [--plugin SO ...] [--config YAML ...] --listen HOST:PORT\n"
    "                [--tls-cert FILE --tls-key FILE] [--timeout-ms N] [--rate-limit N/SECONDS]\n"
    "                [--cors-origin ORIGIN ...] [--read-timeout-ms N] [--drain-timeout-ms N]\n"
    "                [--max-connections N]\n"
    "  (one --config for every plugin, or one per plugin in --plugin order;\n"
    "   TOOLJUMP_SERVER_TOKEN set: /context, /metrics and /preview need Authorization: Bearer)\n";

namespace {

std::uint64_t number(const std::string& flag, const std::string& v, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size() || n < lo || n > hi)
        throw std::invalid_argument("--" + flag + " must be a number in " + std::to_string(lo) + ".." + std::to_string(hi));
    return n;
}

}  // namespace

ServeOptions parse_serve_args(const std::vector<std::string>& args) {
    ServeOptions o;
    bool listen = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        if (!flag.starts_with("--")) throw std::invalid_argument("unexpected argument '" + flag + "'");
        flag.erase(0, 2);
        std::string value;
        if (auto eq = flag.find('='); eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag.resize(eq);
        } else {
            if (i + 1 >= args.size()) throw std::invalid_argument("--" + flag + " needs a value");
            value = args[++i];
        }
        if (flag == "plugin") {
            o.plugins.push_back(value);
        } else if (flag == "config") {
            o.configs.push_back(value);
        } else if (flag == "listen") {
            // HOST:PORT, or [IPv6]:PORT.
            const auto colon = value.rfind(':');
            if (colon == std::string::npos || colon == 0) throw std::invalid_argument("--listen must be HOST:PORT");
            o.host = value.substr(0, colon);
            if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
            o.port = static_cast<std::uint16_t>(number("listen", value.substr(colon + 1), 0, 65535));
            listen = true;
        } else if (flag == "tls-cert") {
            o.tls_cert = value;
        } else if (flag == "tls-key") {
            o.tls_key = value;
        } else if (flag == "timeout-ms") {
            o.timeout = std::chrono::milliseconds(number(flag, value, 1, 600000));
        } else if (flag == "rate-limit") {
            const auto slash = value.find('/');
            if (slash == std::string::npos) throw std::invalid_argument("--rate-limit must be N/SECONDS (e.g. 200/900; 0/1 turns it off)");
            o.rate_limit = static_cast<std::uint32_t>(number(flag, value.substr(0, slash), 0, 1000000000));
            o.rate_window = std::chrono::seconds(number(flag, value.substr(slash + 1), 1, 86400 * 30));
        } else if (flag == "cors-origin") {
            o.cors_origins.push_back(value);
        } else if (flag == "read-timeout-ms") {
            o.read_timeout = std::chrono::milliseconds(number(flag, value, 1, 600000));
        } else if (flag == "drain-timeout-ms") {
            o.drain_timeout = std::chrono::milliseconds(number(flag, value, 0, 600000));
        } else if (flag == "max-connections") {
            o.max_connections = number(flag, value, 1, 1000000);
        } else {
            throw std::invalid_argument("unknown flag --" + flag);
        }
    }
    if (o.plugins.empty()) throw std::invalid_argument("--plugin SO is required");
    if (!listen) throw std::invalid_argument("--listen HOST:PORT is required");
    if (o.configs.size() > 1 && o.configs.size() != o.plugins.size())
        throw std::invalid_argument("give one --config for every plugin, or one per --plugin (" +
                                    std::to_string(o.plugins.size()) + ")");
    if (o.tls_cert.empty() != o.tls_key.empty()) throw std::invalid_argument("--tls-cert and --tls-key go together");
    return o;
}

}  // namespace tjhost
