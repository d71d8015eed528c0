#include "net/retry_after.hpp"

#include <charconv>
#include <ctime>
#include <iomanip>
#include <locale>
#include <sstream>
#include <string>

namespace tjc::net {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

std::optional<long long> parse_uint(std::string_view s) {
    if (s.empty() || s.size() > 18) {
        return std::nullopt;
    }
    long long v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < 0) {
        return std::nullopt;
    }
    return v;
}

// The three HTTP-date forms, all in GMT. std::get_time with the classic locale reads the
// English day and month names whatever the process locale is.
std::optional<std::time_t> parse_http_date(std::string_view s) {
    static constexpr const char* kFormats[] = {
        "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT
        "%a %b %d %H:%M:%S %Y",       // asctime:     Sun Nov  6 08:49:37 1994
    };
    for (const char* fmt : kFormats) {
        std::tm tm{};
        std::istringstream in{std::string(s)};
        in.imbue(std::locale::classic());
        in >> std::get_time(&tm, fmt);
        if (in.fail()) {
            continue;
        }
        in >> std::ws;
        if (!in.eof()) {
            continue;  // trailing junk
        }
        return timegm(&tm);
    }
    return std::nullopt;
}

std::chrono::seconds until(std::time_t when, std::chrono::system_clock::time_point now) {
    const auto now_s = std::chrono::system_clock::to_time_t(now);
    return std::chrono::seconds(when > now_s ? when - now_s : 0);
}

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
    value = trim(value);
    if (value.empty()) {
        return std::nullopt;
    }
    if (auto n = parse_uint(value)) {
        return std::chrono::seconds(*n);
    }
    if (auto t = parse_http_date(value)) {
        return until(*t, now);
    }
    return std::nullopt;
}

std::optional<std::chrono::seconds> parse_ratelimit_reset(std::string_view value,
                                                          std::chrono::system_clock::time_point now) {
    value = trim(value);
    auto n = parse_uint(value);
    if (!n) {
        return std::nullopt;
    }
    if (*n >= 1'000'000'000) {
        return until(static_cast<std::time_t>(*n), now);
    }
    return std::chrono::seconds(*n);
}

std::optional<std::chrono::seconds> throttle_wait(std::string_view retry_after, std::string_view ratelimit_reset,
                                                  std::string_view x_ratelimit_reset,
                                                  std::chrono::system_clock::time_point now) {
    if (auto w = parse_retry_after(retry_after, now)) {
        return w;
    }
    if (auto w = parse_ratelimit_reset(ratelimit_reset, now)) {
        return w;
    }
    return parse_ratelimit_reset(x_ratelimit_reset, now);
}

}  // namespace tjc::net
