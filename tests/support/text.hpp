// Small text checks the tests share.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tjtest {

inline bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// True when text has `prefix` followed by "<digits>:<digits>: " (at its start when anchored; a
// file:line:column position). Plain code rather than <regex>: GCC 12's <regex> trips a false
// -Wmaybe-uninitialized in some sanitizer builds.
inline bool has_position_after(const std::string& text, const std::string& prefix, bool anchored) {
    for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
        if (anchored && at != 0) {
            return false;
        }
        std::size_t i = at + prefix.size();
        auto digits = [&] {
            const auto start = i;
            while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
                ++i;
            }
            return i > start;
        };
        if (digits() && i < text.size() && text[i++] == ':' && digits() && text.compare(i, 2, ": ") == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace tjtest
