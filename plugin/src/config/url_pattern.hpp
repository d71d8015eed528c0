// A rule's `url_pattern`: a page URL with wildcards and captures in its path, e.g.
// "https://grafana.acme.io/d/*/{service}". The scheme, host and port must be given literally
// (they are the custom domains ToolJump's extension asks permission for); the path is a
// NamePattern ('*' and '{name}' never cross a '/'). The page's query and fragment are not
// compared, nor a trailing '/'. Captures are percent-decoded. Pure.
#pragma once

#include "config/name_pattern.hpp"
#include "tjc/expected.hpp"

#include <string>
#include <string_view>

namespace tjc::config {

class UrlPattern {
public:
    UrlPattern() = default;
    static Expected<UrlPattern> compile(std::string_view text);

    [[nodiscard]] const std::string& source() const noexcept { return source_; }
    [[nodiscard]] const std::string& host() const noexcept { return host_; }  // lower-case, no port
    [[nodiscard]] std::vector<std::string> capture_names() const { return path_.placeholders(); }
    // True when url is an http(s) URL on this host whose path matches; fills captures.
    [[nodiscard]] bool match(std::string_view url, NamePattern::Captures& captures) const;

private:
    std::string source_;
    std::string scheme_;
    std::string host_;
    std::string port_;
    NamePattern path_;
};

}  // namespace tjc::config
