#include "cards/format.hpp"

#include "cards/result.hpp"

#include <cmath>
#include <cstdio>

namespace tjc::cards {

std::string span(std::chrono::milliseconds elapsed) {
    using namespace std::chrono;
    const auto s = duration_cast<seconds>(elapsed).count();
    if (s < 60) return "<1m";
    if (s < 3600) return std::to_string(s / 60) + "m";
    if (s < 86400) return std::to_string(s / 3600) + "h";
    return std::to_string(s / 86400) + "d";
}

std::string age(std::chrono::milliseconds elapsed) {
    if (elapsed < std::chrono::minutes(1)) return "just now";
    return span(elapsed) + " ago";
}

std::string duration(std::chrono::seconds d) {
    const auto s = d.count() < 0 ? 0 : d.count();
    char buf[32];
    if (s < 60) {
        std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
    } else if (s < 3600) {
        std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
    } else {
        std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(s / 3600),
                      static_cast<long long>((s % 3600) / 60));
    }
    return buf;
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
    if (std::fabs(change) < 0.5) return "\u00b10%";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%+.0f%%", change);
    return buf;
}

}  // namespace tjc::cards
