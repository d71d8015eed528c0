// Fuzzes mapping::parse_repo_ref: any bytes a page or a user may pass as a repository.
#include "mapping/repo_url.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto ref = tjc::mapping::parse_repo_ref(input);
    if (!ref.has_value()) {
        return 0;
    }
    // A parsed reference always names both parts, without a separator inside.
    const auto& r = ref.value();
    if (r.org.empty() || r.repo.empty()) {
        std::abort();
    }
    if (r.org.find('/') != std::string::npos || r.repo.find('/') != std::string::npos) {
        std::abort();
    }
    for (char c : r.host) {
        if (c >= 'A' && c <= 'Z') {
            std::abort();  // hosts come out lower-case
        }
    }
    return 0;
}
