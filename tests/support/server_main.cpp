// circleci-test-server: the test server as a process, for the README's offline demo.
// Prints one JSON line when ready ({"port","base_url","ca_file"}) and serves until SIGINT/SIGTERM.
#include "test_server.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace {

int usage(const char* why) {
    std::cerr
        << "circleci-test-server: " << why << "\n"
        << "usage: circleci-test-server --world FILE [--port N] [--token T] [--shift-times]\n"
           "                            [--cert-dir DIR] [--latency-ms N] [--page-size N] [--slugs-ignore-case]\n";
    return 2;
}

bool to_number(const std::string& text, unsigned long max, unsigned long& out) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
        return false;
    }
    try {
        out = std::stoul(text);
    } catch (...) {
        return false;
    }
    return out <= max;
}

}  // namespace

int main(int argc, char** argv) {
    tjc::testing::TestServerOptions options;
    unsigned long latency_ms = 0;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        unsigned long n = 0;
        if (arg == "--world") {
            const char* v = value();
            if (!v) {
                return usage("--world needs a file");
            }
            options.world_path = v;
        } else if (arg == "--port") {
            const char* v = value();
            if (!v || !to_number(v, 65535, n)) {
                return usage("--port needs a number 0..65535");
            }
            options.port = static_cast<std::uint16_t>(n);
        } else if (arg == "--token") {
            const char* v = value();
            if (!v) {
                return usage("--token needs a value");
            }
            options.token = v;
        } else if (arg == "--shift-times") {
            options.shift_times = true;
        } else if (arg == "--slugs-ignore-case") {
            options.slugs_ignore_case = true;
        } else if (arg == "--cert-dir") {
            const char* v = value();
            if (!v) {
                return usage("--cert-dir needs a directory");
            }
            options.cert_dir = v;
        } else if (arg == "--latency-ms") {
            const char* v = value();
            if (!v || !to_number(v, 600000, latency_ms)) {
                return usage("--latency-ms needs a number of milliseconds");
            }
        } else if (arg == "--page-size") {
            const char* v = value();
            if (!v || !to_number(v, 1000, n) || n == 0) {
                return usage("--page-size needs a number 1..1000");
            }
            options.page_size = n;
        } else {
            return usage(("unknown argument " + std::string(arg)).c_str());
        }
    }
    if (options.world_path.empty()) {
        return usage("--world is required");
    }

    // Block the signals before the io thread starts so only sigwait below sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    try {
        tjc::testing::TestServer server(options);
        if (latency_ms > 0) {
            server.set_fault(
                {.kind = tjc::testing::FaultKind::latency, .delay = std::chrono::milliseconds(latency_ms)});
        }
        boost::json::object ready{
            {"port", server.port()}, {"base_url", server.base_url()}, {"ca_file", server.ca_file()}};
        std::cout << boost::json::serialize(ready) << std::endl;
        int sig = 0;
        sigwait(&signals, &sig);
        server.stop();
        std::cerr << "circleci-test-server: stopped after " << server.requests() << " requests\n";
    } catch (const std::exception& e) {
        std::cerr << "circleci-test-server: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
