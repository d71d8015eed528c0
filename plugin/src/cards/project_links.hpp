// Card 7: the project's dashboard, insights and settings (needs no network, so it is also
// what a query shows when nothing else can be known), and the page's own Links (runbooks,
// dashboards, incidents: the config's `links:`).
#pragma once

#include "cards/result.hpp"
#include "mapping/resolve.hpp"

#include <optional>
#include <string_view>

namespace tjc::cards {

Card project_links_card(const mapping::ProjectTarget& project, std::string_view app_url);

// One `Links` dropdown of project.links; nullopt when it has none.
std::optional<Card> page_links_card(const mapping::ProjectTarget& project);

}  // namespace tjc::cards
