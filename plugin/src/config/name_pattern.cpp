#include "config/name_pattern.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace tjc::config {

namespace {

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

bool placeholder_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// A capture or '*' never takes a '/'; {env} is one word ([A-Za-z0-9_.], as the deploy
// patterns read it), so "deploy-checkout-prod" is never env "checkout-prod".
bool may_take(std::string_view capture, char c) {
    if (capture == "env") {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
    }
    return c != '/';
}

}  // namespace

struct NamePattern::State {
    std::string_view text;
    const Captures& bound;
    Captures& captures;
    std::vector<char> failed;  // (part, offset) pairs known not to match
};

Expected<NamePattern> NamePattern::compile(std::string_view text, const std::set<std::string, std::less<>>& allowed) {
    if (text.empty()) {
        return Error{"an empty pattern"};
    }
    NamePattern p;
    p.source_ = std::string(text);
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        const bool after_wild = !p.parts_.empty() && p.parts_.back().kind != Kind::literal;
        if (c == '*' || c == '{') {
            if (after_wild) {
                return Error{"a wildcard or placeholder right after another is ambiguous"};
            }
        }
        if (c == '*') {
            p.parts_.push_back({Kind::star, ""});
            ++i;
            continue;
        }
        if (c == '{') {
            const auto close = text.find('}', i);
            if (close == std::string_view::npos) {
                return Error{"unclosed '{'"};
            }
            const auto name = text.substr(i + 1, close - i - 1);
            if (name.empty() || !std::all_of(name.begin(), name.end(), placeholder_char)) {
                return Error{"invalid placeholder '{" + std::string(name) + "}'"};
            }
            if (!allowed.empty() && !allowed.contains(name)) {
                std::string known;
                for (const auto& k : allowed) {
                    known += (known.empty() ? "" : ", ") + ("{" + k + "}");
                }
                return Error{"placeholder '{" + std::string(name) + "}' does not exist here (known: " + known + ")"};
            }
            if (p.has(name)) {
                return Error{"placeholder '{" + std::string(name) + "}' appears twice"};
            }
            p.parts_.push_back({Kind::capture, std::string(name)});
            i = close + 1;
            continue;
        }
        if (c == '}') {
            return Error{"unmatched '}'"};
        }
        if (p.parts_.empty() || p.parts_.back().kind != Kind::literal) {
            p.parts_.push_back({Kind::literal, ""});
        }
        p.parts_.back().text += ascii_lower(c);
        ++i;
    }
    return p;
}

std::vector<std::string> NamePattern::placeholders() const {
    std::vector<std::string> out;
    for (const auto& part : parts_) {
        if (part.kind == Kind::capture) {
            out.push_back(part.text);
        }
    }
    return out;
}

bool NamePattern::has(std::string_view placeholder) const {
    return std::any_of(parts_.begin(), parts_.end(),
                       [&](const Part& p) { return p.kind == Kind::capture && p.text == placeholder; });
}

bool NamePattern::match(std::string_view text, const Captures& bound, Captures& captures) const {
    captures.clear();
    if (parts_.empty()) {
        return false;
    }
    State state{text, bound, captures, std::vector<char>((parts_.size() + 1) * (text.size() + 1), 0)};
    return match_from(state, 0, 0);
}

bool NamePattern::match_from(State& s, std::size_t index, std::size_t offset) const {
    const auto rest = s.text.substr(offset);
    if (index == parts_.size()) {
        return rest.empty();
    }
    char& known_bad = s.failed[index * (s.text.size() + 1) + offset];
    if (known_bad) {
        return false;
    }
    const auto& part = parts_[index];
    const auto bound =
        std::find_if(s.bound.begin(), s.bound.end(), [&](const auto& kv) { return kv.first == part.text; });
    if (part.kind == Kind::literal || (part.kind == Kind::capture && bound != s.bound.end())) {
        const std::string_view want = part.kind == Kind::literal ? std::string_view(part.text) : bound->second;
        if (!want.empty() && rest.size() >= want.size() && iequal(rest.substr(0, want.size()), want) &&
            match_from(s, index + 1, offset + want.size())) {
            return true;
        }
        known_bad = 1;
        return false;
    }
    // A wildcard or capture takes 1..n characters; the shortest first.
    const std::string_view name = part.kind == Kind::capture ? std::string_view(part.text) : std::string_view();
    for (std::size_t n = 1; n <= rest.size() && may_take(name, rest[n - 1]); ++n) {
        const auto before = s.captures.size();
        if (part.kind == Kind::capture) {
            s.captures.emplace_back(part.text, std::string(rest.substr(0, n)));
        }
        if (match_from(s, index + 1, offset + n)) {
            return true;
        }
        s.captures.resize(before);
    }
    known_bad = 1;
    return false;
}

}  // namespace tjc::config
