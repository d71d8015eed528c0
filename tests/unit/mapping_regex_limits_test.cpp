// Fuzz findings in `repo_regex:` (fuzz_config; the inputs are kept in
// fuzz/regressions/fuzz_config/): libstdc++'s regex recursed once per automaton state and
// backtracked exponentially, so one rule could crash or stall the host.
#include "config/config.hpp"
#include "mapping/resolve.hpp"

#include <doctest/doctest.h>

#include <string>

using tjc::config::load_config_text;

namespace {

std::string regex_rule(const std::string& regex) {
    return "mapping:\n  rules:\n    - repo_regex: \"" + regex + "\"\n      project: gh/acme/matched\n";
}

tjc::mapping::ContextFacts page(std::string repository) {
    tjc::mapping::ContextFacts f;
    f.type = "github";
    f.repository = std::move(repository);
    return f;
}

}  // namespace

TEST_CASE("fuzz finding: 6,000 nested groups in a repo_regex overflowed the stack, now a load error") {
    const std::string deep = std::string(6000, '(') + "a" + std::string(6000, ')') + "/b";
    const auto loaded = load_config_text(regex_rule(deep), "t.yaml");
    CHECK(loaded.config == nullptr);
    const std::string text = loaded.diagnostics.to_string();
    CHECK(text.find("t.yaml:3:19: error: mapping.rules[0].repo_regex: invalid regular expression") !=
          std::string::npos);
    CHECK(text.find("too complex (more than 1000 automaton states)") != std::string::npos);
}

TEST_CASE("a regex repeated into a huge automaton is refused too") {
    const auto loaded = load_config_text(regex_rule("(?:a?){30000}b"), "t.yaml");
    CHECK(loaded.config == nullptr);
    CHECK(loaded.diagnostics.to_string().find("too complex") != std::string::npos);
}

TEST_CASE("fuzz finding: (a|aa)*c backtracked exponentially over a long repo name, now linear") {
    const auto loaded = load_config_text(regex_rule("acme/(a|aa)*c"), "t.yaml");
    REQUIRE(loaded.config != nullptr);
    const auto& mapping = loaded.config->mapping;
    // GitHub's longest names, no match: before the fix this resolve ran for minutes.
    const auto miss =
        tjc::mapping::resolve(mapping, "CIRCLECI_TOKEN", page(std::string(39, 'a') + "/" + std::string(100, 'a')));
    REQUIRE(miss.projects.size() == 1);
    CHECK(miss.projects[0].rule.find("default convention") == 0);
    // The regex still means what it says.
    const auto hit = tjc::mapping::resolve(mapping, "CIRCLECI_TOKEN", page("acme/aaac"));
    REQUIRE(hit.projects.size() == 1);
    CHECK(hit.projects[0].slug == "gh/acme/matched");
}

TEST_CASE("captures of the breadth-first matcher are the ECMAScript ones") {
    const auto loaded = load_config_text(
        "mapping:\n  rules:\n    - repo_regex: \"^x/(a|ab)(c|bcd)$\"\n      project: gh/x/{1}-{2}\n", "t.yaml");
    REQUIRE(loaded.config != nullptr);
    const auto r = tjc::mapping::resolve(loaded.config->mapping, "CIRCLECI_TOKEN", page("x/abcd"));
    REQUIRE(r.projects.size() == 1);
    CHECK(r.projects[0].slug == "gh/x/a-bcd");  // ECMAScript: the first alternative that completes
}

TEST_CASE("back-references are refused at load (the linear matcher has none)") {
    const auto loaded = load_config_text(regex_rule("^(a+)/\\\\1$"), "t.yaml");
    CHECK(loaded.config == nullptr);
    CHECK(loaded.diagnostics.to_string().find("back-references are not supported") != std::string::npos);
}
