// A CircleCI webhook delivery (POST /webhooks/circleci) as the event the plugins get
// (TJ_PLUGIN_EVENTS_V1): {"source":"circleci","type","id","payload"}. Pure.
#pragma once

#include <string>
#include <string_view>

namespace tjhost {

struct WebhookEvent {
    std::string id;
    std::string type;
    std::string event_json;  // the plugins' event
    std::string problem;     // why the body is not a delivery ("" when it is)
    [[nodiscard]] bool ok() const noexcept { return problem.empty(); }
};

// body: the delivery's raw JSON; event_type_header: circleci-event-type ("" when absent; the
// body's `type` wins, the header is used when the body has none).
WebhookEvent read_circleci_delivery(std::string_view body, std::string_view event_type_header);

// The id of an event the plugins get (another replica's broadcast), "" when it has none.
std::string event_id_of(std::string_view event_json);

}  // namespace tjhost
