#include "config/url_pattern.hpp"

#include "util/ascii.hpp"

#include <boost/url/decode_view.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace tjc::config {

namespace {

bool valid_host(std::string_view s) {
    return !s.empty() && s.size() <= 253 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::islower(c) || std::isdigit(c) || c == '-' || c == '.';
    });
}

std::string_view without_trailing_slash(std::string_view path) {
    if (path.size() > 1 && path.back() == '/') {
        path.remove_suffix(1);
    }
    return path.empty() ? std::string_view("/") : path;
}

}  // namespace

Expected<UrlPattern> UrlPattern::compile(std::string_view text) {
    UrlPattern p;
    p.source_ = std::string(text);
    const auto sep = text.find("://");
    if (sep == std::string_view::npos) {
        return Error{"a URL pattern starts with https:// or http://"};
    }
    p.scheme_ = ascii_lower(text.substr(0, sep));
    if (p.scheme_ != "https" && p.scheme_ != "http") {
        return Error{"a URL pattern starts with https:// or http://"};
    }
    const auto rest = text.substr(sep + 3);
    const auto slash = rest.find('/');
    const auto authority = rest.substr(0, slash);
    if (text.find_first_of("?#") != std::string_view::npos) {
        return Error{"a URL pattern matches the path only: no '?' or '#'"};
    }
    const auto colon = authority.find(':');
    p.host_ = ascii_lower(authority.substr(0, colon));
    if (!valid_host(p.host_)) {
        return Error{"'" + std::string(authority) + "' is not a host name (wildcards and captures go in the path)"};
    }
    if (colon != std::string_view::npos) {
        p.port_ = std::string(authority.substr(colon + 1));
        if (p.port_.empty() || p.port_.size() > 5 ||
            !std::all_of(p.port_.begin(), p.port_.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
            return Error{"'" + std::string(authority) + "' has no valid port"};
        }
    }
    const auto path = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    auto compiled = NamePattern::compile(without_trailing_slash(path), {});
    if (!compiled) {
        return Error{compiled.error()};
    }
    p.path_ = std::move(compiled).value();
    return p;
}

bool UrlPattern::match(std::string_view url, NamePattern::Captures& captures) const {
    captures.clear();
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || ascii_lower(parsed->scheme()) != scheme_) {
        return false;
    }
    auto host = ascii_lower(parsed->encoded_host());
    if (host.ends_with('.')) {
        host.pop_back();
    }
    if (host != host_ || parsed->port() != port_) {
        return false;
    }
    if (!path_.match(without_trailing_slash(parsed->encoded_path()), captures)) {
        return false;
    }
    for (auto& [name, value] : captures) {
        auto encoded = boost::urls::make_pct_string_view(value);
        if (!encoded) {
            return false;  // a capture with a broken escape is no name
        }
        value = encoded->decode();
    }
    return true;
}

}  // namespace tjc::config
