#include "world.hpp"

#include "time_shift.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace tjc::testing {

const boost::json::object& World::projects() const {
    static const boost::json::object empty;
    auto it = root.find("projects");
    if (it == root.end() || !it->value().is_object()) {
        return empty;
    }
    return it->value().get_object();
}

const boost::json::object* World::project(const std::string& slug) const {
    const auto& all = projects();
    auto it = all.find(slug);
    if (it == all.end() || !it->value().is_object()) {
        return nullptr;
    }
    return &it->value().get_object();
}

const boost::json::object* World::project_ignoring_case(const std::string& slug) const {
    const auto lower = [](std::string_view s) {
        std::string out(s);
        for (auto& c : out) {
            c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        return out;
    };
    const auto want = lower(slug);
    for (const auto& kv : projects()) {
        if (lower(kv.key()) == want && kv.value().is_object()) {
            return &kv.value().get_object();
        }
    }
    return nullptr;
}

World load_world(const std::string& path, bool shift_times, std::chrono::system_clock::time_point now) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("world file " + path + ": cannot open");
    }
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(text.str(), ec);
    if (ec) {
        throw std::runtime_error("world file " + path + ": invalid JSON: " + ec.message());
    }
    if (!doc.is_object()) {
        throw std::runtime_error("world file " + path + ": top level must be an object");
    }
    auto& root = doc.get_object();
    auto projects = root.find("projects");
    if (projects == root.end() || !projects->value().is_object()) {
        throw std::runtime_error("world file " + path + ": \"projects\" must be an object keyed by slug");
    }

    if (shift_times) {
        auto base_it = root.find("time_base");
        if (base_it == root.end() || !base_it->value().is_string()) {
            throw std::runtime_error("world file " + path + ": shift_times needs a \"time_base\" timestamp");
        }
        auto base = parse_rfc3339(base_it->value().get_string());
        if (!base) {
            throw std::runtime_error("world file " + path + ": \"time_base\" is not an RFC 3339 timestamp");
        }
        auto by = std::chrono::floor<std::chrono::seconds>(now) - *base;
        boost::json::value body = root;  // shift everything but time_base itself
        body.get_object().erase("time_base");
        shift_timestamps(body, by);
        body.get_object()["time_base"] = root["time_base"];
        return World{std::move(body.get_object())};
    }
    return World{std::move(root)};
}

}  // namespace tjc::testing
