#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace tjc::config {

int line_of(const YAML::Node& node) {
    const auto mark = node.Mark();
    return mark.line < 0 ? 0 : mark.line + 1;
}

int column_of(const YAML::Node& node) {
    const auto mark = node.Mark();
    return mark.column < 0 ? 0 : mark.column + 1;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

const char* kind_name(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Null: return "null";
        case YAML::NodeType::Scalar: return "a scalar";
        default: return "nothing";
    }
}

template <typename Int>
bool parse_integer(const std::string& text, Int& out) {
    const auto* first = text.data();
    const auto* last = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(first, last, out);
    return ec == std::errc{} && ptr == last;
}

}  // namespace

MapReader::MapReader(const YAML::Node& node, std::string path, Diagnostics& diag)
    : node_(node), path_(std::move(path)), diag_(diag) {
    if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
        diag_.error(line_of(node_), column_of(node_), path_.empty() ? "<root>" : path_,
                    std::string("expected a mapping, found ") + kind_name(node_));
        valid_ = false;
    }
}

std::string MapReader::path_of(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

YAML::Node MapReader::child(std::string_view key) {
    known_.emplace(key);
    if (!valid_ || !node_.IsMap()) {
        return YAML::Node(YAML::NodeType::Undefined);
    }
    // Look the key up by iteration: operator[] on a const node never inserts, but compares
    // through conversions that throw on non-scalar keys.
    for (const auto& kv : node_) {
        if (kv.first.IsScalar() && kv.first.Scalar() == key) {
            return kv.second;
        }
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

void MapReader::type_error(const YAML::Node& value, std::string_view key, std::string_view expected) {
    std::string found = value.IsScalar() ? "'" + value.Scalar() + "'" : kind_name(value);
    diag_.error(line_of(value), column_of(value), path_of(key),
                "expected " + std::string(expected) + ", found " + found);
}

bool MapReader::read(std::string_view key, std::string& out) {
    const auto v = child(key);
    if (!v.IsDefined()) {
        return false;
    }
    if (!v.IsScalar()) {
        type_error(v, key, "a string");
        return false;
    }
    out = v.Scalar();
    return true;
}

bool MapReader::read(std::string_view key, bool& out) {
    const auto v = child(key);
    if (!v.IsDefined()) {
        return false;
    }
    if (v.IsScalar()) {
        const auto& s = v.Scalar();
        if (s == "true") {
            return out = true, true;
        }
        if (s == "false") {
            return out = false, true;
        }
    }
    type_error(v, key, "true or false");
    return false;
}

bool MapReader::read(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max) {
    const auto v = child(key);
    if (!v.IsDefined()) {
        return false;
    }
    std::int64_t value = 0;
    if (!v.IsScalar() || !parse_integer(v.Scalar(), value)) {
        type_error(v, key, "an integer");
        return false;
    }
    if (value < min || value > max) {
        diag_.error(line_of(v), column_of(v), path_of(key),
                    "value " + std::to_string(value) + " is out of range [" + std::to_string(min) + ", " +
                        std::to_string(max) + "]");
        return false;
    }
    out = value;
    return true;
}

bool MapReader::read(std::string_view key, std::uint32_t& out, std::uint32_t min, std::uint32_t max) {
    std::int64_t value = 0;
    if (!read(key, value, min, max)) {
        return false;
    }
    out = static_cast<std::uint32_t>(value);
    return true;
}

bool MapReader::read(std::string_view key, std::uint64_t& out, std::uint64_t min, std::uint64_t max) {
    std::int64_t value = 0;
    const auto hi = std::min<std::uint64_t>(max, static_cast<std::uint64_t>(INT64_MAX));
    if (!read(key, value, static_cast<std::int64_t>(min), static_cast<std::int64_t>(hi))) {
        return false;
    }
    out = static_cast<std::uint64_t>(value);
    return true;
}

bool MapReader::read(std::string_view key, double& out, double min, double max) {
    const auto v = child(key);
    if (!v.IsDefined()) {
        return false;
    }
    double value = 0;
    if (!v.IsScalar() || !YAML::convert<double>::decode(v, value) || !std::isfinite(value)) {
        type_error(v, key, "a number");
        return false;
    }
    if (value < min || value > max) {
        diag_.error(
            line_of(v), column_of(v), path_of(key),
            "value " + v.Scalar() + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
        return false;
    }
    out = value;
    return true;
}

bool MapReader::read(std::string_view key, std::vector<std::string>& out) {
    const auto v = child(key);
    if (!v.IsDefined()) {
        return false;
    }
    if (!v.IsSequence()) {
        type_error(v, key, "a list of strings");
        return false;
    }
    std::vector<std::string> values;
    bool ok = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const auto item = v[i];
        if (!item.IsScalar()) {
            type_error(item, std::string(key) + "[" + std::to_string(i) + "]", "a string");
            ok = false;
            continue;
        }
        values.push_back(item.Scalar());
    }
    if (ok) {
        out = std::move(values);
    }
    return ok;
}

void MapReader::finish() {
    if (!valid_ || !node_.IsMap()) {
        return;
    }
    for (const auto& kv : node_) {
        if (!kv.first.IsScalar()) {
            diag_.error(line_of(kv.first), column_of(kv.first), path_.empty() ? "<root>" : path_,
                        "keys must be strings");
            continue;
        }
        const auto& key = kv.first.Scalar();
        if (known_.contains(key)) {
            continue;
        }
        std::string message = "unknown key '" + key + "'";
        std::string best;
        std::size_t best_distance = 3;  // suggest only near misses
        for (const auto& candidate : known_) {
            const auto d = edit_distance(key, candidate);
            if (d < best_distance) {
                best_distance = d, best = candidate;
            }
        }
        if (!best.empty()) {
            message += " (did you mean '" + best + "'?)";
        }
        diag_.error(line_of(kv.first), column_of(kv.first), path_of(key), message);
    }
}

}  // namespace tjc::config
