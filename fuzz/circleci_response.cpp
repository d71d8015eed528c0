// Fuzzes one CircleCI response parser, chosen by TJC_FUZZ_PARSER (fuzz/CMakeLists.txt makes
// one target per parser). Small limits, so deep and large inputs reach the limit checks.
#include "circleci/parse.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#ifndef TJC_FUZZ_PARSER
#error "TJC_FUZZ_PARSER names the parser to fuzz"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    (void)tjc::circleci::TJC_FUZZ_PARSER(body);  // default limits: what the client uses
    tjc::circleci::ParseLimits tight;
    tight.max_body_bytes = 4096;
    tight.max_depth = 4;
    (void)tjc::circleci::TJC_FUZZ_PARSER(body, tight);
    return 0;
}
