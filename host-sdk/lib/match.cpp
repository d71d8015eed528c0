#include "match.hpp"

#include <boost/json.hpp>

#include <charconv>
// ToolJump's `pattern` operator is an ECMAScript regex (cmake: tjc_uses_std_regex).
#include <regex>

namespace tjhost {

namespace {

bool is_operator(std::string_view op) {
    return op == "exists" || op == "equals" || op == "in" || op == "pattern" || op == "startsWith" || op == "endsWith";
}

std::string_view sv(const boost::json::string& s) { return {s.data(), s.size()}; }

bool equal(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_number() && b.is_number()) {
        return a.to_number<double>() == b.to_number<double>();
    }
    return a == b;
}

bool holds(std::string_view op, const boost::json::value& operand, const boost::json::value* v) {
    if (op == "exists") {
        return operand.as_bool() == (v != nullptr && !v->is_null());
    }
    if (!v) {
        return false;
    }
    if (op == "equals") {
        return equal(*v, operand);
    }
    if (op == "in") {
        for (const auto& candidate : operand.as_array()) {
            if (equal(*v, candidate)) {
                return true;
            }
        }
        return false;
    }
    const auto* s = v->if_string();
    if (!s) {
        return false;
    }
    const auto text = sv(*s);
    const auto arg = sv(operand.as_string());
    if (op == "startsWith") {
        return text.starts_with(arg);
    }
    if (op == "endsWith") {
        return text.ends_with(arg);
    }
    // pattern: validated at load, so construction does not throw here.
    const std::regex re(std::string(arg), std::regex::ECMAScript);
    return std::regex_search(text.begin(), text.end(), re);
}

}  // namespace

const boost::json::value* lookup(const boost::json::value& root, std::string_view path) {
    const boost::json::value* v = &root;
    while (v) {
        const auto dot = path.find('.');
        const auto key = path.substr(0, dot);
        if (const auto* o = v->if_object()) {
            v = o->if_contains(key);
        } else if (const auto* a = v->if_array()) {
            std::size_t index = 0;
            auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
            v = (ec == std::errc{} && p == key.data() + key.size() && index < a->size()) ? &(*a)[index] : nullptr;
        } else {
            return nullptr;
        }
        if (dot == std::string_view::npos) {
            return v;
        }
        path.remove_prefix(dot + 1);
    }
    return nullptr;
}

std::string validate_match(const boost::json::value& match) {
    const auto* m = match.if_object();
    if (!m) {
        return "match must be a mapping";
    }
    const auto* rules = m->if_contains("context");
    if (!rules) {
        return {};
    }
    if (!rules->is_object()) {
        return "match.context must be a mapping of path -> operator";
    }
    for (const auto& [path, rule] : rules->as_object()) {
        const std::string where = "match.context." + std::string(path);
        const auto* r = rule.if_object();
        if (!r || r->size() != 1) {
            return where + ": needs exactly one operator";
        }
        const auto& [op, operand] = *r->begin();
        if (!is_operator(op)) {
            return where + ": unknown operator '" + std::string(op) + "'";
        }
        if (op == "exists" && !operand.is_bool()) {
            return where + ".exists: expected true or false";
        }
        if (op == "in" && !operand.is_array()) {
            return where + ".in: expected a list";
        }
        if ((op == "pattern" || op == "startsWith" || op == "endsWith") && !operand.is_string()) {
            return where + "." + std::string(op) + ": expected a string";
        }
        if (op == "pattern") {
            try {
                std::regex re(std::string(operand.as_string()), std::regex::ECMAScript);
            } catch (const std::regex_error& e) {
                return where + ".pattern: invalid regex (" + e.what() + ")";
            }
        }
    }
    return {};
}

bool matches(const boost::json::value& match, const boost::json::value& context, std::string* why) {
    auto no = [&](std::string reason) {
        if (why) {
            *why = std::move(reason);
        }
        return false;
    };
    const auto& m = match.as_object();
    if (const auto* ct = m.if_contains("contextType"); ct && ct->is_string() && ct->as_string() != "*") {
        const auto* type = lookup(context, "type");
        if (!type || !type->is_string() || type->as_string() != ct->as_string()) {
            return no("contextType is not " + std::string(ct->as_string()));
        }
    }
    const auto* rules = m.if_contains("context");
    if (!rules) {
        return true;
    }
    for (const auto& [path, rule] : rules->as_object()) {
        const auto& [op, operand] = *rule.as_object().begin();
        if (!holds(op, operand, lookup(context, path))) {
            return no(std::string(path) + " fails " + std::string(op) + " " + boost::json::serialize(operand));
        }
    }
    return true;
}

}  // namespace tjhost
