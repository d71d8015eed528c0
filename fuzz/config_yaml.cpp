// Fuzzes the YAML config loader with whole configs; a config that loads then maps a few
// fixed pages, so its rules (patterns, regexes, templates) run too.
#include "config/config.hpp"
#include "mapping/explain.hpp"
#include "mapping/resolve.hpp"

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::vector<tjc::mapping::ContextFacts> pages() {
    std::vector<tjc::mapping::ContextFacts> out;
    tjc::mapping::ContextFacts f;
    f.type = "github";
    f.url = "https://github.com/acme/svc-api/tree/main";
    f.repository = "acme/svc-api";
    f.service = {"api", tjc::mapping::FactSource::tag};
    f.env = {"prod", tjc::mapping::FactSource::tag};
    f.team = {"core", tjc::mapping::FactSource::tag};
    f.branch = "main";
    f.branch_candidates = {"main"};
    out.push_back(f);
    f = {};
    f.type = "github";
    f.url = "https://ghe.example.com/acme-mirror/tools-mirror/commit/0123456789abcdef";
    f.commit = "0123456789abcdef";
    out.push_back(f);
    f = {};
    f.type = "aws";  // a resource name through resource_names, a dashboard URL through url_pattern
    f.url = "https://grafana.example.com/d/abc/checkout-prod";
    f.resource_name = "checkout-prod";
    f.repository_tag = {"acme/checkout", tjc::mapping::FactSource::tag};
    out.push_back(f);
    f = {};
    f.type = "github";  // GitHub's longest names: what a rule's regex may meet
    f.repository = std::string(39, 'a') + "/" + std::string(100, 'b');
    out.push_back(f);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto fixed_pages = pages();
    const std::string_view yaml(reinterpret_cast<const char*>(data), size);
    const auto loaded = tjc::config::load_config_text(yaml);
    (void)loaded.diagnostics.to_string();
    if (!loaded.config) {
        return 0;
    }
    (void)loaded.config->secret_names();
    for (const auto& page : fixed_pages) {
        const auto r = tjc::mapping::resolve(loaded.config->mapping, loaded.config->circleci.token_secret, page);
        (void)boost::json::serialize(tjc::mapping::to_json(r));
    }
    return 0;
}
