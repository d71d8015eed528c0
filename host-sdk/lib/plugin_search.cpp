#include "plugin_search.hpp"

#include "manifest.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace tjhost {

namespace fs = std::filesystem;

namespace {

bool is_path(const std::string& s) { return s.find('/') != std::string::npos || s.ends_with(".so"); }

// ToolJump's integration names: lower case, a letter first, [a-z0-9_-].
bool is_plugin_name(const std::string& s) {
    if (s.empty() || s.size() > 100 || s.front() < 'a' || s.front() > 'z') {
        return false;
    }
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::vector<std::string> plugin_search_dirs() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("TOOLJUMP_PLUGIN_PATH"); env && *env) {
        std::string list = env;
        std::size_t start = 0;
        while (start <= list.size()) {
            const auto colon = list.find(':', start);
            auto dir = list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
            if (!dir.empty()) {
                dirs.push_back(std::move(dir));
            }
            if (colon == std::string::npos) {
                break;
            }
            start = colon + 1;
        }
    }
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        dirs.push_back((exe.parent_path().parent_path() / "lib" / "tooljump" / "plugins").lexically_normal().string());
    }
    return dirs;
}

std::string find_plugin(const std::string& name_or_path) {
    if (is_path(name_or_path)) {
        return name_or_path;
    }
    if (!is_plugin_name(name_or_path)) {
        throw std::runtime_error(
            "--plugin: '" + name_or_path +
            "' is neither a path (with '/' or ending in .so) nor a plugin name ([a-z][a-z0-9_-]*)");
    }
    const auto dirs = plugin_search_dirs();
    std::string searched;
    for (const auto& dir : dirs) {
        const fs::path folder = fs::path(dir) / name_or_path;
        const fs::path manifest = folder / "manifest.yaml";
        searched += (searched.empty() ? "" : ", ") + folder.string();
        std::error_code ec;
        if (!fs::is_regular_file(manifest, ec)) {
            continue;
        }
        const auto m = load_manifest(manifest.string());  // throws naming the file on a bad one
        if (m.library.empty() || m.library.find('/') != std::string::npos) {
            throw std::runtime_error(manifest.string() + ": 'library' must name the plugin's file in that folder");
        }
        return (folder / m.library).string();
    }
    throw std::runtime_error("no plugin named '" + name_or_path + "' (looked for <dir>/" + name_or_path +
                             "/manifest.yaml in " + (searched.empty() ? std::string("no folder") : searched) +
                             "; TOOLJUMP_PLUGIN_PATH adds folders)");
}

}  // namespace tjhost
