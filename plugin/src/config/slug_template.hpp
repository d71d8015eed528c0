// Templates such as "gh/{org}/{repo}" or "deploy-{service}-{env}": parsed once at load,
// so that a placeholder nobody provides is a load error, not a runtime surprise. Pure.
#pragma once

#include "tjc/expected.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tjc::config {

class Template {
public:
    struct Part {
        bool placeholder = false;
        std::string text;  // literal text, or the placeholder's name
    };

    Template() = default;
    // "{name}" is a placeholder (name: letters, digits, '_'); a stray brace is an error.
    static Expected<Template> parse(std::string_view text);

    [[nodiscard]] const std::string& source() const noexcept { return source_; }
    [[nodiscard]] const std::vector<Part>& parts() const noexcept { return parts_; }
    [[nodiscard]] bool empty() const noexcept { return source_.empty(); }
    [[nodiscard]] std::vector<std::string> placeholders() const;

    // Substitutes every placeholder; nullopt when value() has nothing for one of them.
    using Lookup = std::function<std::optional<std::string>(std::string_view name)>;
    [[nodiscard]] std::optional<std::string> expand(const Lookup& value) const;

private:
    std::string source_;
    std::vector<Part> parts_;
};

}  // namespace tjc::config
