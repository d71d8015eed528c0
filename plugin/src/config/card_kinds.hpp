// The cards a query can show; each can be switched off in `cards.enabled` and per mapping
// rule (`cards:`). One list, so config and mapping validate the same names.
#pragma once

namespace tjc::config {

inline constexpr const char* kCardKinds[] = {"status",  "commit",   "pipelines", "insights",
                                             "deploys", "approval", "contexts",  "links"};

}  // namespace tjc::config
