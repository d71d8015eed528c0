#include "net/redirect_policy.hpp"

#include "util/ascii.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <cctype>
#include <utility>

namespace tjc::net {

namespace urls = boost::urls;

namespace {}  // namespace

bool is_redirect_status(unsigned status) noexcept {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Expected<std::string> redirect_target(const Endpoint& server, std::string_view current_target,
                                      std::string_view location) {
    if (location.empty()) {
        return Error{"redirect without a Location header"};
    }
    auto ref = urls::parse_uri_reference(location);
    if (!ref) {
        return Error{"redirect to an unparsable Location"};
    }

    urls::url base;
    base.set_scheme(server.scheme);
    base.set_encoded_host(server.host.find(':') != std::string::npos ? "[" + server.host + "]" : server.host);
    base.set_port_number(server.port);
    auto cur = urls::parse_origin_form(current_target);
    if (cur) {
        base.set_encoded_path(cur->encoded_path());
        if (cur->has_query()) {
            base.set_encoded_query(cur->encoded_query());
        }
    }
    urls::url dest;
    if (auto r = urls::resolve(base, *ref, dest); !r) {
        return Error{"redirect to an unresolvable Location"};
    }

    const std::string scheme = ascii_lower(dest.scheme());
    std::string host = ascii_lower(dest.host_type() == urls::host_type::ipv6 ? std::string(dest.encoded_host_address())
                                                                             : std::string(dest.host()));
    std::uint16_t port = dest.has_port() ? dest.port_number() : (scheme == "https" ? 443 : (scheme == "http" ? 80 : 0));
    if (scheme != server.scheme || host != server.host || port != server.port) {
        return Error{"refused a redirect to " + scheme + "://" + (host.empty() ? std::string("?") : host) + ":" +
                     std::to_string(port) + " (the token is only sent to " + server.authority() + ")"};
    }
    if (dest.has_userinfo()) {
        return Error{"refused a redirect carrying credentials"};
    }
    std::string target(dest.encoded_target());
    if (target.empty() || target.front() != '/') {
        // Not target.insert(0, "/"): GCC 12 at -O3 reports a false -Wrestrict inside that
        // basic_string::insert (PR 105329).
        std::string rooted(1, '/');
        rooted += target;
        target = std::move(rooted);
    }
    return target;
}

}  // namespace tjc::net
