// ASCII case folding for hosts, schemes, names and header values: locale-independent, the
// way URLs, GitHub names and HTTP compare them.
#pragma once

#include <string>
#include <string_view>

namespace tjc {

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        c = ascii_lower(c);
    }
    return out;
}

}  // namespace tjc
