#include "config/mapping_rules.hpp"

namespace tjc::config {

MappingConfig parse_mapping(const YAML::Node& node, const std::string& path, Diagnostics& diag) {
    MappingConfig out;
    MapReader reader(node, path, diag);
    reader.finish();
    return out;
}

}  // namespace tjc::config
