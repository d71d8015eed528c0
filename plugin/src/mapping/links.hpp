// The Links card's links for one page: each LinkSpec with its placeholders filled in. Pure.
#pragma once

#include "config/mapping_rules.hpp"
#include "mapping/resolve.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tjc::mapping {

// value(name): the page's value for a placeholder, or nullopt/"" when it has none. Each value
// is percent-encoded where it lands; a link whose placeholder has no value is left out, as is
// one that does not come out an absolute http(s) URL. Links with the same URL appear once.
std::vector<Link> expand_links(const std::vector<const config::LinkSpec*>& specs,
                               const std::function<std::optional<std::string>(std::string_view)>& value);

}  // namespace tjc::mapping
