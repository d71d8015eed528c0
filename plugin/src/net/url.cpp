#include "net/url.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <cctype>

namespace tjc::net {

namespace urls = boost::urls;

std::string Endpoint::authority() const {
    // IPv6 literals need brackets to stay unambiguous next to the port.
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

const char* to_string(NetErrorKind kind) noexcept {
    switch (kind) {
        case NetErrorKind::unreachable: return "unreachable";
        case NetErrorKind::tls: return "tls";
        case NetErrorKind::timeout: return "timeout";
        case NetErrorKind::cancelled: return "cancelled";
        case NetErrorKind::rate_limited: return "rate_limited";
        case NetErrorKind::bad_response: return "bad_response";
    }
    return "unknown";
}

Expected<Endpoint> parse_endpoint(std::string_view text) {
    auto parsed = urls::parse_absolute_uri(text);
    if (!parsed) {
        return Error{"not an absolute URL: " + std::string(text)};
    }
    const urls::url_view& u = *parsed;
    if (u.scheme_id() != urls::scheme::https) {
        return Error{"only https URLs are supported, got scheme '" + std::string(u.scheme()) + "'"};
    }
    if (u.has_userinfo()) {
        return Error{"the API URL must not carry credentials"};
    }
    if (u.has_query() || u.has_fragment()) {
        return Error{"the API URL must not have a query or fragment"};
    }
    Endpoint e;
    e.scheme = "https";
    if (u.host_type() == urls::host_type::ipv6) {
        e.host = std::string(u.encoded_host_address());
    } else {
        e.host = std::string(u.host());
    }
    if (e.host.empty()) {
        return Error{"the API URL has no host"};
    }
    std::transform(e.host.begin(), e.host.end(), e.host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (u.has_port()) {
        const auto port = u.port_number();
        if (port == 0) {
            return Error{"the API URL has an invalid port"};
        }
        e.port = port;
    }
    e.base_path = std::string(u.encoded_path());
    while (!e.base_path.empty() && e.base_path.back() == '/') {
        e.base_path.pop_back();
    }
    return e;
}

std::string encode_segment(std::string_view raw) { return urls::encode(raw, urls::unreserved_chars); }

Expected<std::string> encode_slug(std::string_view slug) {
    std::string out;
    int parts = 0;
    std::size_t start = 0;
    while (true) {
        const auto slash = slug.find('/', start);
        const auto part = slug.substr(start, slash == std::string_view::npos ? slug.npos : slash - start);
        if (part.empty() || part == "." || part == "..") {
            return Error{"not a project slug (want vcs/org/repo): '" + std::string(slug) + "'"};
        }
        if (!out.empty()) {
            out += '/';
        }
        out += encode_segment(part);
        ++parts;
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    if (parts != 3) {
        return Error{"not a project slug (want vcs/org/repo): '" + std::string(slug) + "'"};
    }
    return out;
}

std::string build_target(std::string_view base_path, std::string_view encoded_path,
                         const std::vector<QueryParam>& query) {
    urls::url u;
    std::string path(base_path);
    path += encoded_path;
    u.set_encoded_path(path);
    // Keys and values escaped down to unreserved characters: "+", "=", "&" and "/" in a page
    // token survive any server's query decoding.
    for (const auto& p : query) {
        u.encoded_params().append(urls::param_pct_view(encode_segment(p.key), encode_segment(p.value)));
    }
    return std::string(u.encoded_target());
}

}  // namespace tjc::net
