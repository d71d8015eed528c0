#include "context_request.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

namespace tjhost {

namespace {

const char* kind_of(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null: return "null";
        case boost::json::kind::bool_: return "boolean";
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
        case boost::json::kind::double_: return "number";
        case boost::json::kind::string: return "string";
        case boost::json::kind::array: return "array";
        case boost::json::kind::object: return "object";
    }
    return "unknown";
}

}  // namespace

ContextBody check_context_body(std::string_view body) {
    ContextBody out;
    boost::json::parse_options opts;
    opts.max_depth = 32;  // the contract allows 10 levels of nesting; deeper is not a context
    boost::system::error_code ec;
    out.context = boost::json::parse(body, ec, {}, opts);
    if (ec) {
        out.problems.push_back({"", "Malformed JSON: " + ec.message()});
        out.context = nullptr;
        return out;
    }
    const auto* obj = out.context.if_object();
    if (!obj) {
        out.problems.push_back({"", std::string("Expected object, received ") + kind_of(out.context)});
        return out;
    }
    for (const char* field : {"type", "url"}) {
        const auto* v = obj->if_contains(field);
        if (!v) {
            out.problems.push_back({field, "Required"});
        } else if (!v->is_string()) {
            out.problems.push_back({field, std::string("Expected string, received ") + kind_of(*v)});
        } else if (v->as_string().empty()) {
            out.problems.push_back({field, "Must not be empty"});
        }
    }
    return out;
}

boost::json::object invalid_body_response(const std::vector<BodyProblem>& problems) {
    boost::json::array details;
    for (const auto& p : problems) {
        details.push_back(boost::json::object{{"path", p.path}, {"message", p.message}});
    }
    return {{"error", "Invalid request body"}, {"details", std::move(details)}};
}

}  // namespace tjhost
