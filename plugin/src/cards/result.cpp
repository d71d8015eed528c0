#include "cards/result.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace tjc::cards {

namespace {

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        n += is_continuation(c) ? 0 : 1;
    }
    return n;
}

std::string check_tooltip(const std::string& tooltip) {
    if (tooltip.empty()) {
        return {};  // absent
    }
    if (code_points(tooltip) > kMaxTooltip) {
        return "tooltip longer than 500 characters";
    }
    return {};
}

bool is_http_url(std::string_view href) { return href.starts_with("https://") || href.starts_with("http://"); }

}  // namespace

std::string clip(std::string_view text, std::size_t max) {
    if (code_points(text) <= max) {
        return std::string(text);
    }
    if (max == 0) {
        return {};
    }
    std::size_t kept = 0;
    std::size_t i = 0;
    for (; i < text.size(); ++i) {
        if (!is_continuation(static_cast<unsigned char>(text[i]))) {
            if (kept == max - 1) {
                break;
            }
            ++kept;
        }
    }
    return std::string(text.substr(0, i)) + "\u2026";
}

std::string validate(const Card& card) {
    if (card.content.empty()) {
        return "content is empty";
    }
    if (auto e = check_tooltip(card.tooltip); !e.empty()) {
        return e;
    }
    switch (card.type) {
        case Card::Type::link:
            if (!is_http_url(card.href)) {
                return "link without an http(s) href";
            }
            break;
        case Card::Type::dropdown:
            if (card.items.empty()) {
                return "dropdown without items";
            }
            for (const auto& item : card.items) {
                if (item.content.empty()) {
                    return "dropdown item with empty content";
                }
                if (!is_http_url(item.href)) {
                    return "dropdown item without an http(s) href";
                }
                if (auto e = check_tooltip(item.tooltip); !e.empty()) {
                    return "dropdown item " + e;
                }
            }
            break;
        case Card::Type::text: break;
    }
    return {};
}

std::string_view to_string(Status status) noexcept {
    switch (status) {
        case Status::success: return "success";
        case Status::relevant: return "relevant";
        case Status::important: return "important";
        case Status::none: break;
    }
    return "none";
}

boost::json::array to_json(const std::vector<Card>& cards) {
    boost::json::array out;
    out.reserve(cards.size());
    for (const auto& c : cards) {
        boost::json::object o;
        o["type"] = c.type == Card::Type::text ? "text" : c.type == Card::Type::link ? "link" : "dropdown";
        o["content"] = c.content;
        if (!c.href.empty()) {
            o["href"] = c.href;
        }
        if (c.status != Status::none) {
            o["status"] = to_string(c.status);
        }
        if (!c.icon.empty()) {
            o["icon"] = c.icon;
        }
        if (!c.tooltip.empty()) {
            o["tooltip"] = c.tooltip;
        }
        if (c.type == Card::Type::dropdown) {
            boost::json::array items;
            for (const auto& i : c.items) {
                boost::json::object io;
                io["content"] = i.content;
                io["href"] = i.href;
                if (i.status != Status::none) {
                    io["status"] = to_string(i.status);
                }
                if (!i.icon.empty()) {
                    io["icon"] = i.icon;
                }
                if (!i.tooltip.empty()) {
                    io["tooltip"] = i.tooltip;
                }
                items.push_back(std::move(io));
            }
            o["items"] = std::move(items);
        }
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace tjc::cards

namespace tjc::cards {

std::string results_json(const std::vector<Card>& cards, const std::function<void(const std::string&)>& report) {
    std::vector<Card> valid;
    valid.reserve(cards.size());
    for (const auto& c : cards) {
        if (auto problem = validate(c); !problem.empty()) {
            if (report) {
                report(problem + " (card '" + clip(c.content, 80) + "')");
            }
            continue;
        }
        valid.push_back(c);
    }
    return boost::json::serialize(to_json(valid));
}

}  // namespace tjc::cards
