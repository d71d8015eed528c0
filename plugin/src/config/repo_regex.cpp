#include "config/repo_regex.hpp"

// libstdc++ compiles and matches recursively, one level per automaton state: a deeply nested
// or hugely repeated regex overflowed the stack (fuzz_config: 6,000 nested groups crashed the
// load). Capping the automaton bounds both the recursion and the memory; a rule's regex
// needs a few dozen states. Only this TU includes <regex>, so the cap is the plugin's own (and
// cmake's tjc_uses_std_regex quiets GCC's false -Wmaybe-uninitialized in it).
#define _GLIBCXX_REGEX_STATE_LIMIT 1000
#include <regex>

namespace tjc::config {

struct RepoRegex::Impl {
    std::regex regex;
};

Expected<RepoRegex> RepoRegex::compile(std::string_view text) {
    RepoRegex out;
    try {
        // __polynomial (libstdc++): the breadth-first matcher, linear in the input for a
        // given regex. The default backtracking one is exponential on patterns such as
        // "(a|aa)*c" (fuzz_config: one resolve of a 140-character repo ran for minutes).
        // It refuses back-references, which a repo regex has no use for.
        auto impl = std::make_shared<Impl>(Impl{std::regex(
            std::string(text), std::regex::ECMAScript | std::regex::icase | std::regex_constants::__polynomial)});
        out.groups_ = static_cast<unsigned>(impl->regex.mark_count());
        out.impl_ = std::move(impl);
    } catch (const std::regex_error& e) {
        if (e.code() == std::regex_constants::error_space) {
            return Error{"too complex (more than " + std::to_string(_GLIBCXX_REGEX_STATE_LIMIT) + " automaton states)"};
        }
        if (e.code() == std::regex_constants::error_complexity) {
            return Error{"back-references are not supported"};
        }
        return Error{e.what()};
    }
    out.source_ = std::string(text);
    return out;
}

bool RepoRegex::match(std::string_view org_repo, RepoPattern::Captures& captures) const {
    captures.clear();
    if (!impl_) {
        return false;
    }
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(org_repo.begin(), org_repo.end(), m, impl_->regex)) {
        return false;
    }
    for (std::size_t i = 1; i < m.size(); ++i) {
        captures.emplace_back(std::to_string(i), m[i].str());
    }
    return true;
}

}  // namespace tjc::config
