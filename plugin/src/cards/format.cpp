#include "cards/format.hpp"

#include "cards/result.hpp"

#include <cmath>
#include <cstdio>

namespace tjc::cards {

namespace {

constexpr long long kMinute = 60;
constexpr long long kHour = 60 * kMinute;
constexpr long long kDay = 24 * kHour;
constexpr long long kWeek = 7 * kDay;

// s rounded to the nearest multiple of unit.
long long rounded(long long s, long long unit) { return (s + unit / 2) / unit * unit; }

// "<s / big><big_name> <rest / small><small_name>"; s is a multiple of small.
std::string two_units(long long s, long long big, const char* big_name, long long small, const char* small_name,
                      bool pad) {
    char buf[48];
    std::snprintf(buf, sizeof buf, pad ? "%lld%s %02lld%s" : "%lld%s %lld%s", s / big, big_name, (s % big) / small,
                  small_name);
    return buf;
}

}  // namespace

std::string span(std::chrono::milliseconds elapsed) {
    const long long s = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
    if (s < kMinute) {
        return "<1m";
    }
    if (s < kHour) {
        return std::to_string(s / kMinute) + "m";
    }
    if (s < 2 * kDay) {
        return std::to_string(s / kHour) + "h";
    }
    if (s < 2 * kWeek) {
        return std::to_string(s / kDay) + "d";
    }
    if (s < 13 * kWeek) {
        return std::to_string(s / kWeek) + "w";
    }
    if (s < 365 * kDay) {
        return std::to_string(s / (30 * kDay)) + "mo";
    }
    return std::to_string(s / (365 * kDay)) + "y";
}

std::string age(std::chrono::milliseconds elapsed) {
    if (elapsed < std::chrono::minutes(1)) {
        return "just now";
    }
    return span(elapsed) + " ago";
}

std::string duration(std::chrono::seconds d) {
    const long long s = d.count() < 0 ? 0 : d.count();
    if (s < kMinute) {
        return std::to_string(s) + "s";
    }
    if (s < kHour) {
        return two_units(s, kMinute, "m", 1, "s", true);
    }
    // The smaller unit rounded; a value that rounds up into the next range is said there.
    if (const auto m = rounded(s, kMinute); m < kDay) {
        return two_units(m, kHour, "h", kMinute, "m", true);
    }
    if (const auto h = rounded(s, kHour); h < 2 * kWeek) {
        return two_units(h, kDay, "d", kHour, "h", false);
    }
    return two_units(rounded(s, kDay), kWeek, "w", kDay, "d", false);
}

std::string count(std::size_t n, std::string_view singular, std::string_view plural) {
    return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

std::string short_sha(std::string_view sha) { return std::string(sha.substr(0, 7)); }

std::string subject(std::string_view message, std::size_t max) {
    const auto nl = message.find_first_of("\r\n");
    return clip(message.substr(0, nl), max);
}

std::string percent(double ratio) {
    const double p = ratio * 100.0;
    char buf[16];
    if (p < 100.0 && p > 99.0) {
        std::snprintf(buf, sizeof buf, "%.1f%%", std::floor(p * 10) / 10);
    } else {
        std::snprintf(buf, sizeof buf, "%.0f%%", p);
    }
    return buf;
}

std::string trend(double ratio) {
    // CircleCI's trends are ratios against the previous window: 1.12 = +12%.
    const double change = (ratio - 1.0) * 100.0;
    if (std::fabs(change) < 0.5) {
        return "\u00b10%";
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%+.0f%%", change);
    return buf;
}

}  // namespace tjc::cards
