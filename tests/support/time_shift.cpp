#include "time_shift.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <cstdio>

namespace tjc::testing {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) {
        return false;
    }
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

struct Parsed {
    SysSeconds utc;
    std::string_view fraction;  // ".123" or ""
};

std::optional<Parsed> parse(std::string_view s) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
        !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' ||
        !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec)) {
        return std::nullopt;
    }
    std::size_t pos = 19;
    std::size_t frac_start = pos;
    if (s[pos] == '.') {
        ++pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
            ++pos;
        }
        if (pos == frac_start + 1) {
            return std::nullopt;
        }
    }
    std::string_view fraction = s.substr(frac_start, pos - frac_start);
    if (pos >= s.size()) {
        return std::nullopt;
    }
    std::chrono::seconds offset{0};
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh = 0, om = 0;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om)) {
            return std::nullopt;
        }
        offset = std::chrono::hours(oh) + std::chrono::minutes(om);
        if (s[pos] == '-') {
            offset = -offset;
        }
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) {
        return std::nullopt;
    }
    using namespace std::chrono;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
        return std::nullopt;
    }
    SysSeconds local = sys_days{ymd} + hours(h) + minutes(mi) + seconds(sec);
    return Parsed{local - offset, fraction};
}

}  // namespace

std::optional<SysSeconds> parse_rfc3339(std::string_view text) {
    auto p = parse(text);
    if (!p) {
        return std::nullopt;
    }
    return p->utc;
}

std::optional<std::string> shift_rfc3339(std::string_view text, std::chrono::seconds by) {
    auto p = parse(text);
    if (!p) {
        return std::nullopt;
    }
    using namespace std::chrono;
    SysSeconds t = p->utc + by;
    sys_days day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss<seconds> tod{t - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                  static_cast<int>(tod.seconds().count()));
    return std::string(buf) + std::string(p->fraction) + "Z";
}

void shift_timestamps(boost::json::value& value, std::chrono::seconds by) {
    if (auto* obj = value.if_object()) {
        for (auto& kv : *obj) {
            shift_timestamps(kv.value(), by);
        }
    } else if (auto* arr = value.if_array()) {
        for (auto& v : *arr) {
            shift_timestamps(v, by);
        }
    } else if (auto* str = value.if_string()) {
        if (auto shifted = shift_rfc3339(*str, by)) {
            *str = *shifted;
        }
    }
}

}  // namespace tjc::testing
