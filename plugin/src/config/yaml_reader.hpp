// Typed, diagnosed reading of one YAML mapping. Every key read is remembered, so that
// finish() can report each key nobody asked for: a typo never passes silently.
#pragma once

#include "config/diagnostics.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tjc::config {

// 1-based position of a node, 0 when yaml-cpp has none (e.g. a synthesized node).
int line_of(const YAML::Node& node);
int column_of(const YAML::Node& node);

class MapReader {
public:
    // path is the dotted key path of node itself ("" for the document root).
    MapReader(const YAML::Node& node, std::string path, Diagnostics& diag);

    // False when node is neither a mapping nor null/absent (already reported).
    [[nodiscard]] bool valid() const noexcept { return valid_; }

    // Each read() leaves out untouched when the key is absent, and reports a typed error
    // (with the value's position) when it is present but wrong. Returns true when out was set.
    bool read(std::string_view key, std::string& out);
    bool read(std::string_view key, bool& out);
    bool read(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max);
    bool read(std::string_view key, std::uint32_t& out, std::uint32_t min, std::uint32_t max);
    bool read(std::string_view key, std::uint64_t& out, std::uint64_t min, std::uint64_t max);
    bool read(std::string_view key, double& out, double min, double max);
    bool read(std::string_view key, std::vector<std::string>& out);

    // The raw child (marks the key as known); an undefined node when absent.
    [[nodiscard]] YAML::Node child(std::string_view key);
    [[nodiscard]] std::string path_of(std::string_view key) const;
    [[nodiscard]] Diagnostics& diagnostics() const noexcept { return diag_; }

    // Reports every key of the mapping not read so far, suggesting the nearest known key.
    void finish();

private:
    void type_error(const YAML::Node& value, std::string_view key, std::string_view expected);

    YAML::Node node_;
    std::string path_;
    Diagnostics& diag_;
    std::set<std::string, std::less<>> known_;
    bool valid_ = true;
};

}  // namespace tjc::config
