// ToolJump results (docs/tooljump-contract.md section 2) as values, their JSON, and the schema check that
// every card passes before it leaves the plugin. Pure.
#pragma once

#include <boost/json/array.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tjc::cards {

enum class Status { none, success, relevant, important };

struct Item {
    std::string content;
    std::string href;
    Status status = Status::none;
    std::string icon;
    std::string tooltip;
};

struct Card {
    enum class Type { text, link, dropdown };
    Type type = Type::text;
    std::string content;
    std::string href;  // link
    Status status = Status::none;
    std::string icon;
    std::string tooltip;      // 1..500 characters when present
    std::vector<Item> items;  // dropdown
};

inline constexpr std::size_t kMaxTooltip = 500;

// Cuts text to at most max characters (Unicode code points, as ToolJump counts them),
// ending in "…" when it cut.
std::string clip(std::string_view text, std::size_t max);

// "" when the card satisfies the schema, else what is wrong.
std::string validate(const Card& card);

boost::json::array to_json(const std::vector<Card>& cards);

// The results JSON of cards leaving the plugin: each checked with validate(); a card that
// breaks the schema is a bug: it is left out and `report` is told what is wrong with it.
std::string results_json(const std::vector<Card>& cards, const std::function<void(const std::string&)>& report);
std::string_view to_string(Status status) noexcept;

}  // namespace tjc::cards
