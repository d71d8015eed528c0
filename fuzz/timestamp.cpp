// Fuzzes circleci::parse_timestamp; a parsed time formats and parses back to itself.
#include "circleci/parse.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto t = tjc::circleci::parse_timestamp(input);
    if (!t) {
        return 0;
    }
    const std::string text = tjc::circleci::format_timestamp(*t);
    auto again = tjc::circleci::parse_timestamp(text);
    if (!again || *again != *t) {
        std::abort();
    }
    return 0;
}
