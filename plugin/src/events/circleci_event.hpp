// An event handed to the plugin through TJ_PLUGIN_EVENTS_V1 (plugin.h), read as what it means
// for the cards: which CircleCI project and branch changed. Pure: no I/O, no state.
//
// CircleCI's webhook payloads name projects in the long VCS form (`github/<org>/<repo>`,
// `bitbucket/<org>/<repo>`) where the API and our mapping say `gh/`/`bb/`; GitHub App and GitLab
// projects are `circleci/<org-id>/<project-id>` everywhere and carry their branch in
// pipeline.trigger_parameters.git (docs/circleci-api.md, "Webhooks").
#pragma once

#include <string>
#include <string_view>

namespace tjc::events {

struct ProjectChange {
    std::string slug;    // normalized (see normalize_slug), lower-case
    std::string branch;  // "" when the event names none (a tag pipeline)
    std::string type;    // "workflow-completed", "job-completed"
    std::string id;      // the event id
};

struct ParsedEvent {
    enum class Outcome { change, not_ours, invalid };
    Outcome outcome = Outcome::invalid;
    ProjectChange change;  // when outcome == change
    std::string problem;   // when invalid: what is wrong
};

// `{"source","type","id","payload"}`: a change for a CircleCI event of a type that changes cards
// (workflow-completed, job-completed) with a project slug; not_ours for another source or type;
// invalid for text that is not such an object.
ParsedEvent parse_event(std::string_view event_json);

// `github/o/r` -> `gh/o/r`, `bitbucket/o/r` -> `bb/o/r`, anything else (`gh/`, `bb/`,
// `circleci/<org-id>/<project-id>`) as it is; all lower-case, so slugs compare without case.
std::string normalize_slug(std::string_view slug);

}  // namespace tjc::events
