#include "mapping/links.hpp"

#include "util/ascii.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>

namespace tjc::mapping {

std::vector<Link> expand_links(const std::vector<const config::LinkSpec*>& specs,
                               const std::function<std::optional<std::string>(std::string_view)>& value) {
    // Encoded where it lands: a service "a/b" or "a&b" never changes a link's path or query.
    const auto encoded = [&](std::string_view name) -> std::optional<std::string> {
        auto v = value(name);
        if (!v || v->empty()) {
            return std::nullopt;
        }
        return boost::urls::encode(*v, boost::urls::unreserved_chars);
    };
    std::vector<Link> out;
    for (const auto* spec : specs) {
        auto url = spec->url.expand(encoded);
        if (!url) {
            continue;
        }
        auto parsed = boost::urls::parse_uri(*url);
        const auto scheme = parsed ? ascii_lower(parsed->scheme()) : std::string();
        if ((scheme != "https" && scheme != "http") || parsed->encoded_host().empty()) {
            continue;
        }
        if (std::any_of(out.begin(), out.end(), [&](const Link& l) { return l.url == *url; })) {
            continue;
        }
        out.push_back(Link{spec->name, std::move(*url), spec->icon});
    }
    return out;
}

}  // namespace tjc::mapping
