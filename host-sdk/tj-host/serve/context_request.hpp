// The body of POST /context checked as ToolJump checks it (docs/tooljump-contract.md sections 1 and 5): a
// JSON object with string `type` and `url`. Anything else gets 400 with
// {"error":"Invalid request body","details":[{"path","message"}]}. Pure.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tjhost {

struct BodyProblem {
    std::string path;  // dotted path of the field, "" for the body itself
    std::string message;
};

struct ContextBody {
    boost::json::value context;  // valid when problems is empty
    std::vector<BodyProblem> problems;
    [[nodiscard]] bool ok() const noexcept { return problems.empty(); }
};

ContextBody check_context_body(std::string_view body);

// The 400 body for these problems.
boost::json::object invalid_body_response(const std::vector<BodyProblem>& problems);

}  // namespace tjhost
