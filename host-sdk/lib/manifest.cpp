#include "manifest.hpp"

#include "match.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <set>
#include <stdexcept>

namespace tjhost {

namespace {

[[noreturn]] void fail(const std::string& path, const YAML::Node& at, const std::string& key, const std::string& msg) {
    const auto m = at.Mark();
    std::string where = path;
    if (m.line >= 0) {
        where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    }
    throw std::runtime_error(where + ": " + key + ": " + msg);
}

// YAML -> JSON, typing plain scalars the way YAML 1.2's core schema does.
boost::json::value to_json(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: {
            boost::json::object o;
            for (const auto& kv : n) {
                o[kv.first.Scalar()] = to_json(kv.second);
            }
            return o;
        }
        case YAML::NodeType::Sequence: {
            boost::json::array a;
            for (const auto& item : n) {
                a.push_back(to_json(item));
            }
            return a;
        }
        case YAML::NodeType::Scalar: {
            const auto& s = n.Scalar();
            if (n.Tag() == "!") {
                return boost::json::string(s);  // quoted: always a string
            }
            if (s == "true") {
                return true;
            }
            if (s == "false") {
                return false;
            }
            if (s == "null" || s == "~") {
                return nullptr;
            }
            std::int64_t i = 0;
            if (auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
                ec == std::errc{} && p == s.data() + s.size()) {
                return i;
            }
            return boost::json::string(s);
        }
        default: return nullptr;
    }
}

std::int64_t int_field(const std::string& path, const YAML::Node& root, const char* key, std::int64_t lo,
                       std::int64_t hi, std::int64_t dflt) {
    const auto n = root[key];
    if (!n) {
        return dflt;
    }
    std::int64_t v = 0;
    const auto& s = n.IsScalar() ? n.Scalar() : std::string();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) {
        fail(path, n, key, "expected an integer");
    }
    if (v < lo || v > hi) {
        fail(path, n, key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    return v;
}

}  // namespace

Manifest load_manifest(const std::string& path) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw std::runtime_error(path + ": cannot read the manifest");
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                 std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
    }
    if (!root.IsMap()) {
        throw std::runtime_error(path + ": the manifest must be a mapping");
    }
    static const std::set<std::string> known{
        "name", "description", "match", "cache", "cacheKey", "requiredSecrets", "priority", "abi", "library"};
    for (const auto& kv : root) {
        if (!known.contains(kv.first.Scalar())) {
            fail(path, kv.first, kv.first.Scalar(), "unknown key");
        }
    }
    Manifest m;
    m.path = path;
    const auto name = root["name"];
    if (!name || !name.IsScalar()) {
        fail(path, root, "name", "required");
    }
    m.name = name.Scalar();
    const bool name_ok = m.name.size() >= 4 && m.name.size() <= 100 && m.name[0] >= 'a' && m.name[0] <= 'z' &&
                         std::all_of(m.name.begin(), m.name.end(), [](char c) {
                             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
                         });
    if (!name_ok) {
        fail(path, name, "name", "must be lowercase, start with a letter, [a-z0-9_-], 4 to 100 characters");
    }
    if (const auto d = root["description"]) {
        m.description = d.Scalar();
        if (m.description.size() > 500) {
            fail(path, d, "description", "longer than 500 characters");
        }
    }
    const auto match = root["match"];
    if (!match || !match.IsMap()) {
        fail(path, root, "match", "required mapping");
    }
    m.match = to_json(match);
    const auto* ct = m.match.as_object().if_contains("contextType");
    if (!ct || !ct->is_string()) {
        fail(path, match, "match.contextType", "required");
    }
    const auto ctype = std::string(ct->as_string());
    if (ctype != "github" && ctype != "aws" && ctype != "generic" && ctype != "*") {
        fail(path, match, "match.contextType", "must be github, aws, generic or *");
    }
    if (auto error = validate_match(m.match); !error.empty()) {
        fail(path, match, "match", error);
    }
    if (const auto secrets = root["requiredSecrets"]) {
        if (!secrets.IsSequence()) {
            fail(path, secrets, "requiredSecrets", "expected a list");
        }
        for (const auto& s : secrets) {
            m.required_secrets.push_back(s.Scalar());
        }
    }
    m.cache = int_field(path, root, "cache", 0, 30LL * 24 * 3600, 300);
    if (const auto key = root["cacheKey"]) {
        if (!key.IsSequence()) {
            fail(path, key, "cacheKey", "expected a list of context paths");
        }
        for (const auto& k : key) {
            if (!k.IsScalar() || k.Scalar().empty() || k.Scalar().front() == '.' || k.Scalar().back() == '.' ||
                k.Scalar().find("..") != std::string::npos) {
                fail(path, k, "cacheKey", "expected a dotted context path such as page.repository");
            }
            m.cache_key.push_back(k.Scalar());
        }
    } else if (const auto* ctx = m.match.as_object().if_contains("context"); ctx && ctx->is_object()) {
        for (const auto& kv : ctx->as_object()) {
            m.cache_key.emplace_back(kv.key());
        }
    }
    m.priority = int_field(path, root, "priority", 1, 1000, 100);
    const auto abi = root["abi"];
    if (!abi || !abi.IsMap()) {
        fail(path, root, "abi", "required for a native plugin ({major, minor})");
    }
    m.abi_major = static_cast<std::uint32_t>(int_field(path, abi, "major", 0, 1000, 0));
    m.abi_minor = static_cast<std::uint32_t>(int_field(path, abi, "minor", 0, 1000, 0));
    if (const auto lib = root["library"]) {
        m.library = lib.Scalar();
    }
    return m;
}

std::string compare_with_description(const Manifest& m, const boost::json::value& description) {
    const auto* d = description.if_object();
    if (!d) {
        return "the plugin's description is not a JSON object";
    }
    auto str = [&](const char* k) -> std::string {
        const auto* v = d->if_contains(k);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    if (str("name") != m.name) {
        return "name: manifest says '" + m.name + "', plugin says '" + str("name") + "'";
    }
    const auto* abi = d->if_contains("abi");
    if (!abi || !abi->is_object()) {
        return "the plugin's description has no abi";
    }
    const auto* major = abi->as_object().if_contains("major");
    if (!major || !major->is_number() || major->to_number<std::int64_t>() != m.abi_major) {
        return "abi.major: manifest says " + std::to_string(m.abi_major) + ", plugin says " +
               (major ? boost::json::serialize(*major) : "nothing");
    }
    const auto* match = d->if_contains("match");
    if (!match || *match != m.match) {
        return "match: manifest and plugin differ";
    }
    // A plugin that states its cache key must state the manifest's: it knows what it reads.
    if (const auto* key = d->if_contains("cacheKey")) {
        boost::json::array expected;
        for (const auto& k : m.cache_key) {
            expected.emplace_back(k);
        }
        if (*key != expected) {
            return "cacheKey: manifest and plugin differ";
        }
    }
    // Every secret the manifest requires must be one the plugin asks for.
    const auto* secrets = d->if_contains("requiredSecrets");
    if (!secrets || !secrets->is_array()) {
        return "the plugin's description has no requiredSecrets";
    }
    for (const auto& s : m.required_secrets) {
        bool found = false;
        for (const auto& v : secrets->as_array()) {
            found = found || (v.is_string() && v.as_string() == s);
        }
        if (!found) {
            return "requiredSecrets: the plugin does not declare '" + s + "'";
        }
    }
    return {};
}

}  // namespace tjhost
