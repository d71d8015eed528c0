#include "config/slug_template.hpp"

#include <cctype>

namespace tjc::config {

namespace {

bool placeholder_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

Expected<Template> Template::parse(std::string_view text) {
    Template t;
    t.source_ = std::string(text);
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find_first_of("{}", i);
        if (open == std::string_view::npos) {
            t.parts_.push_back({false, std::string(text.substr(i))});
            break;
        }
        if (text[open] == '}') {
            return Error{"unmatched '}' at offset " + std::to_string(open)};
        }
        if (open > i) {
            t.parts_.push_back({false, std::string(text.substr(i, open - i))});
        }
        const auto close = text.find('}', open + 1);
        if (close == std::string_view::npos) {
            return Error{"unclosed '{' at offset " + std::to_string(open)};
        }
        const auto name = text.substr(open + 1, close - open - 1);
        if (name.empty()) {
            return Error{"empty placeholder '{}'"};
        }
        for (char c : name) {
            if (!placeholder_char(c)) {
                return Error{"invalid placeholder '{" + std::string(name) + "}'"};
            }
        }
        t.parts_.push_back({true, std::string(name)});
        i = close + 1;
    }
    return t;
}

std::vector<std::string> Template::placeholders() const {
    std::vector<std::string> out;
    for (const auto& p : parts_) {
        if (p.placeholder) {
            out.push_back(p.text);
        }
    }
    return out;
}

std::optional<std::string> Template::expand(const Lookup& value) const {
    std::string out;
    for (const auto& p : parts_) {
        if (!p.placeholder) {
            out += p.text;
            continue;
        }
        auto v = value(p.text);
        if (!v || v->empty()) {
            return std::nullopt;
        }
        out += *v;
    }
    return out;
}

}  // namespace tjc::config
