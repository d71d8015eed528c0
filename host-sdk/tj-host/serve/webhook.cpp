#include "webhook.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace tjhost {

WebhookEvent read_circleci_delivery(std::string_view body, std::string_view event_type_header) {
    WebhookEvent e;
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object()) {
        e.problem = ec ? "Malformed JSON: " + ec.message() : "The delivery is not a JSON object";
        return e;
    }
    auto& o = v.as_object();
    const auto* id = o.if_contains("id");
    if (!id || !id->is_string() || id->as_string().empty()) {
        e.problem = "The delivery has no event id";
        return e;
    }
    e.id = std::string(id->as_string());
    if (const auto* type = o.if_contains("type"); type && type->is_string()) {
        e.type = std::string(type->as_string());
    } else {
        e.type = std::string(event_type_header);
    }
    if (e.type.empty()) {
        e.problem = "The delivery has no event type";
        return e;
    }
    e.event_json = boost::json::serialize(
        boost::json::object{{"source", "circleci"}, {"type", e.type}, {"id", e.id}, {"payload", std::move(v)}});
    return e;
}

std::string event_id_of(std::string_view event_json) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(event_json, ec);
    const auto* id = !ec && v.is_object() ? v.as_object().if_contains("id") : nullptr;
    return id && id->is_string() ? std::string(id->as_string()) : std::string();
}

}  // namespace tjhost
