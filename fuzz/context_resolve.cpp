// Fuzzes the path of a context from the host: JSON -> mapping::parse_context -> resolve
// against config/mapping.example.yaml (every mapping feature) -> the resolve JSON.
#include "config/config.hpp"
#include "mapping/context.hpp"
#include "mapping/explain.hpp"
#include "mapping/resolve.hpp"

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

const tjc::config::Config& example_config() {
    static const auto loaded = tjc::config::load_config_file(TJC_MAPPING_EXAMPLE);
    if (!loaded.config) {
        std::fprintf(stderr, "fuzz_context: cannot load %s:\n%s\n", TJC_MAPPING_EXAMPLE,
                     loaded.diagnostics.to_string().c_str());
        std::abort();
    }
    return *loaded.config;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)example_config();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    auto facts = tjc::mapping::parse_context(json);
    if (!facts.has_value()) {
        return 0;
    }
    const auto& config = example_config();
    const auto resolution = tjc::mapping::resolve(config.mapping, config.circleci.token_secret, facts.value());
    (void)boost::json::serialize(tjc::mapping::to_json(resolution));
    return 0;
}
