// ToolJump's match rules: contextType plus {dotted path: {operator: operand}}, all must hold.
// Operators: exists, equals, in, pattern (ECMAScript regex, searched), startsWith, endsWith.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace tjhost {

// "" when the match spec is well formed, else what is wrong (path and operator).
std::string validate_match(const boost::json::value& match);

// True when the context satisfies every rule; otherwise *why (if given) names the first
// rule that failed.
bool matches(const boost::json::value& match, const boost::json::value& context, std::string* why = nullptr);

// The value at a dotted path ("page.section.hash"), or nullptr.
const boost::json::value* lookup(const boost::json::value& root, std::string_view dotted_path);

}  // namespace tjhost
