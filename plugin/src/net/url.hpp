// Building request targets from the API base URL (pure; Boost.URL does the encoding).
#pragma once

#include "net/http_types.hpp"
#include "tjc/expected.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace tjc::net {

struct QueryParam {
    std::string key;
    std::string value;  // raw; encoded by build_target
};

// "https://host[:port][/base]" -> Endpoint. Only https is accepted: the token never travels
// in clear text. Userinfo, query and fragment are rejected.
Expected<Endpoint> parse_endpoint(std::string_view url);

// One raw value as ONE path segment: everything but unreserved characters is escaped,
// so "/" becomes %2F and a workflow name with spaces stays one segment.
std::string encode_segment(std::string_view raw);

// A project slug "vcs/org/repo" as three path segments joined by raw "/" (the form the API
// documents), each part escaped. Refuses slugs that are not three non-empty parts or that
// contain "." / ".." parts (no path traversal through a slug).
Expected<std::string> encode_slug(std::string_view slug);

// base_path + encoded_path + "?k=v&..." in origin form (what goes on the request line).
// encoded_path must start with "/" and already be escaped (encode_segment / encode_slug).
std::string build_target(std::string_view base_path, std::string_view encoded_path,
                         const std::vector<QueryParam>& query = {});

}  // namespace tjc::net
