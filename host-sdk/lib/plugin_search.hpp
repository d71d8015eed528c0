// Where a host finds a plugin. `--plugin` takes a path (it holds a '/' or ends in ".so") or
// the name of an installed plugin: the folder <dir>/<name>/ with its manifest.yaml, whose
// `library` names the shared library beside it, searched in each dir of TOOLJUMP_PLUGIN_PATH
// (':'-separated, in order) and then in <the tj-host executable's folder>/../lib/tooljump/plugins
// (the install layout, which the build tree mirrors).
#pragma once

#include <string>
#include <vector>

namespace tjhost {

// The folders searched for plugins by name, in order (existing or not).
std::vector<std::string> plugin_search_dirs();

// The library path for `--plugin`'s value. A path comes back as it is; a name is looked up,
// and std::runtime_error names the folders searched when it is in none of them.
std::string find_plugin(const std::string& name_or_path);

}  // namespace tjhost
