// Name patterns such as "{service}-{env}" (AWS resource names), "svc-{service}-{env}"
// (CircleCI context names) or the path of a URL pattern ("/d/*/{service}"): "*" matches a run
// of characters and "{name}" captures one; neither crosses a '/', and {env} is one word
// ([A-Za-z0-9_.]), so "checkout-api-prod" is service "checkout-api", env "prod". Literals compare without
// case; captures keep the case of the input. Compiled at load; matching remembers failed
// states, so hostile input costs parts x length^2 steps at most. Pure.
#pragma once

#include "tjc/expected.hpp"

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tjc::config {

class NamePattern {
public:
    using Captures = std::vector<std::pair<std::string, std::string>>;

    NamePattern() = default;
    // allowed: the placeholder names that may appear (an empty set allows any name). A
    // placeholder right after another (or after a '*') is ambiguous and refused.
    static Expected<NamePattern> compile(std::string_view text, const std::set<std::string, std::less<>>& allowed);

    [[nodiscard]] const std::string& source() const noexcept { return source_; }
    [[nodiscard]] std::vector<std::string> placeholders() const;
    [[nodiscard]] bool has(std::string_view placeholder) const;

    // Matches the whole of text. A capture named in `bound` must equal its value (without
    // case); the others are filled into `captures`.
    [[nodiscard]] bool match(std::string_view text, const Captures& bound, Captures& captures) const;
    [[nodiscard]] bool match(std::string_view text, Captures& captures) const { return match(text, {}, captures); }

private:
    enum class Kind { literal, star, capture };
    struct Part {
        Kind kind = Kind::literal;
        std::string text;  // lower-cased literal, or the capture's name
    };
    struct State;
    bool match_from(State& state, std::size_t part, std::size_t offset) const;

    std::string source_;
    std::vector<Part> parts_;
};

}  // namespace tjc::config
