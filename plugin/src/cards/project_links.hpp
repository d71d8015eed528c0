// Card 7: the project's dashboard, insights and settings. Needs no network, so it is also
// what a query shows when nothing else can be known.
#pragma once

#include "cards/result.hpp"
#include "mapping/resolve.hpp"

#include <string_view>

namespace tjc::cards {

Card project_links_card(const mapping::ProjectTarget& project, std::string_view app_url);

}  // namespace tjc::cards
