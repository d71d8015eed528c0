#include "instance/query_engine.hpp"

#include "cards/project_links.hpp"
#include "cards/result.hpp"

#include <boost/json/serialize.hpp>

namespace tjc {

std::string run_query(const QueryPlan& plan) {
    // Until the CircleCI client lands, the cards are what is known offline: the project each
    // mapping produced, linking to its pages in the app.
    std::vector<cards::Card> out;
    for (const auto& project : plan.resolution.projects) {
        auto card = cards::project_links_card(project, plan.config->circleci.app_url);
        if (cards::validate(card).empty()) out.push_back(std::move(card));
    }
    return boost::json::serialize(cards::to_json(out));
}

}  // namespace tjc
