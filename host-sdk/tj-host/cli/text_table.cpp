#include "text_table.hpp"

#include <boost/json.hpp>

namespace tjhost {

namespace {

std::string field(const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Multi-line tooltips stay under their card.
std::string indent(const std::string& text, const std::string& pad) {
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '\n') {
            out += pad;
        }
    }
    return out;
}

std::string marker(const std::string& status) {
    if (status == "success") {
        return "[ok]  ";
    }
    if (status == "important") {
        return "[!!]  ";
    }
    if (status == "relevant") {
        return "[~]   ";
    }
    return "      ";
}

}  // namespace

std::string render_text(const boost::json::value& results) {
    std::string out;
    const auto* arr = results.if_array();
    if (!arr || arr->empty()) {
        return "(no cards)\n";
    }
    for (const auto& r : *arr) {
        const auto* o = r.if_object();
        if (!o) {
            continue;
        }
        out += marker(field(*o, "status")) + field(*o, "content");
        if (auto href = field(*o, "href"); !href.empty()) {
            out += "\n        -> " + href;
        }
        if (auto tip = field(*o, "tooltip"); !tip.empty()) {
            out += "\n        " + indent(tip, "        ");
        }
        out += '\n';
        if (const auto* items = o->if_contains("items"); items && items->is_array()) {
            for (const auto& i : items->as_array()) {
                if (!i.is_object()) {
                    continue;
                }
                out += "        * " + marker(field(i.as_object(), "status")) + field(i.as_object(), "content") + "  " +
                       field(i.as_object(), "href") + '\n';
            }
        }
    }
    return out;
}

}  // namespace tjhost
