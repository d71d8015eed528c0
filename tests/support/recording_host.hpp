// A host for the fault, host-fault and bounds tests: it lends the plugin a token and keeps
// everything the plugin hands back (log lines, completions, messages) so that a test can
// scan it all, for the token among other things. Header-only; drives the real plugin through
// tjhost::Plugin (dlopen), exactly as a host would.
#pragma once

#include "loader.hpp"
#include "text.hpp"

#include <tooljump/plugin.h>

#include <boost/json.hpp>

#include <dirent.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tjtest {

// Distinctive, so that a scan for it cannot match anything else.
inline constexpr std::string_view kSecretToken = "tok-SECRET-7f3a9c";

inline tj_str_view view(const std::string& s) { return {s.data(), s.size()}; }

inline std::string repo_context(const std::string& org_repo, const std::string& service = "") {
    boost::json::object ctx{
        {"type", "github"}, {"url", "https://github.com/" + org_repo}, {"page", {{"repository", org_repo}}}};
    if (!service.empty()) {
        ctx["service"] = {{"name", service}};
    }
    return boost::json::serialize(ctx);
}

// Everything the plugin said to this host, and the token it lends.
class RecordingHost {
public:
    std::string token{kSecretToken};

    tj_host_callbacks callbacks() { return {this, &RecordingHost::log, &RecordingHost::secret, nullptr}; }

    // Keeps a text the plugin produced (payload, message) for the final scan.
    void keep(std::string text) {
        std::lock_guard lock(mutex_);
        kept_.push_back(std::move(text));
    }
    std::vector<std::string> logs() const {
        std::lock_guard lock(mutex_);
        return logs_;
    }
    bool logged(std::string_view text) const {
        std::lock_guard lock(mutex_);
        for (const auto& l : logs_) {
            if (contains(l, text)) {
                return true;
            }
        }
        return false;
    }
    // Logs arrive on the plugin's callback thread, a fetch's own after its query may have
    // answered (at the same deadline): waits for one, with a safety net.
    bool logged_soon(std::string_view text, std::chrono::seconds safety_net = std::chrono::seconds(10)) const {
        const auto until = std::chrono::steady_clock::now() + safety_net;
        while (!logged(text)) {
            if (std::chrono::steady_clock::now() > until) {
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return true;
    }
    // Every log line and kept text that holds the token (should be none).
    std::vector<std::string> leaks() const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> out;
        for (const auto* list : {&logs_, &kept_}) {
            for (const auto& s : *list) {
                if (contains(s, kSecretToken)) {
                    out.push_back(s);
                }
            }
        }
        return out;
    }
    std::size_t texts_scanned() const {
        std::lock_guard lock(mutex_);
        return logs_.size() + kept_.size();
    }

private:
    static void log(void* self, tj_log_level, tj_str_view m) {
        auto* h = static_cast<RecordingHost*>(self);
        std::lock_guard lock(h->mutex_);
        h->logs_.emplace_back(m.ptr ? m.ptr : "", m.len);
    }
    static tj_status secret(void* self, tj_str_view name, tj_secret_sink sink, void* data) {
        auto* h = static_cast<RecordingHost*>(self);
        if (std::string_view(name.ptr, name.len) != "CIRCLECI_TOKEN" || h->token.empty()) {
            return TJ_STATUS_NO_MATCH;
        }
        sink(data, {h->token.data(), h->token.size()});
        return TJ_STATUS_OK;
    }

    mutable std::mutex mutex_;
    std::vector<std::string> logs_;
    std::vector<std::string> kept_;
};

// Collects completions of submit(); wait() has a safety net only.
struct Completions {
    struct Call {
        std::uint64_t ticket;
        tj_status status;
        std::string payload;
        std::chrono::steady_clock::time_point at;
    };
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<Call> calls;

    static void on_done(void* self, uint64_t ticket, tj_status status, tj_str_view payload) {
        auto* c = static_cast<Completions*>(self);
        std::lock_guard lock(c->mutex);
        c->calls.push_back({ticket, status, std::string(payload.ptr ? payload.ptr : "", payload.len),
                            std::chrono::steady_clock::now()});
        c->cv.notify_all();
    }
    bool wait_for(std::size_t n, std::chrono::seconds safety_net = std::chrono::seconds(60)) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, safety_net, [&] { return calls.size() >= n; });
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return calls.size();
    }
};

// The cards of a results payload, by content prefix.
inline const boost::json::object* find_card(const boost::json::value& results, std::string_view content_prefix) {
    if (!results.is_array()) {
        return nullptr;
    }
    for (const auto& r : results.as_array()) {
        if (r.is_object() && r.as_object().contains("content") &&
            r.at("content").as_string().starts_with(content_prefix)) {
            return &r.as_object();
        }
    }
    return nullptr;
}

inline std::string card_contents(const boost::json::value& results) {
    std::string out;
    if (!results.is_array()) {
        return boost::json::serialize(results);
    }
    for (const auto& r : results.as_array()) {
        out += std::string(r.at("content").as_string());
        if (const auto* t = r.as_object().if_contains("tooltip")) {
            out += " {" + std::string(t->as_string()) + "}";
        }
        out += " | ";
    }
    return out;
}

// Open file descriptors of this process (entries of /proc/self/fd, less the directory's own).
inline int open_fds() {
    DIR* d = opendir("/proc/self/fd");
    if (!d) {
        return -1;
    }
    int n = 0;
    while (auto* e = readdir(d)) {
        if (e->d_name[0] != '.') {
            ++n;
        }
    }
    closedir(d);
    return n - 1;
}

}  // namespace tjtest
