// What a tooltip says about one pipeline: its workflows, why it errored, its commit and who
// triggered it. Shared by the status, commit and recent-pipelines cards. Pure.
#pragma once

#include "cards/snapshot.hpp"

#include <string>
#include <string_view>

namespace tjc::cards {

// Characters of an error message kept in a tooltip (the tooltip as a whole is cut to 500).
inline constexpr std::size_t kMaxErrorText = 300;

// "Error (config): <message>" per errors[] entry of an errored pipeline, one per line, each
// message cut to fit; "" when it has none.
std::string error_lines(const PipelineRun& run);

// head, then the errors, the workflows, the commit subject and "<sha> by <login>" (or
// "Triggered by <login>" when there is no commit), and why the workflows are unknown when
// their fetch failed; cut to ToolJump's 500 characters.
std::string pipeline_tooltip(const PipelineRun& run, std::string_view head);

}  // namespace tjc::cards
