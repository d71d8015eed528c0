// A pipeline's outcome from its workflows (a pipeline's `state` is not its outcome), and the
// branch's failure streak. Pure.
#pragma once

#include "cards/result.hpp"
#include "cards/snapshot.hpp"

#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

namespace tjc::cards {

// unknown: the pipeline's workflows could not be read (PipelineRun::workflows_failure).
enum class Outcome { passed, failed, failing, running, on_hold, canceled, errored, not_run, pending, unknown };

// failed > failing > running > on_hold > canceled > passed; no workflows: errored (config
// error) or pending (still being set up).
Outcome outcome_of(const PipelineRun& run);
std::string_view to_string(Outcome o) noexcept;
Status status_of(Outcome o) noexcept;  // success / important / relevant / none
bool is_finished(Outcome o) noexcept;

struct FailureStreak {
    std::size_t pipelines = 0;                 // newest consecutive failed pipelines
    std::optional<circleci::Timestamp> since;  // creation of the oldest of them
};
// Counts from the newest pipeline while outcomes are failed/failing/errored; running
// pipelines at the head are skipped (they have not failed yet).
FailureStreak failure_streak(const std::vector<PipelineRun>& runs);

// When the run finished (its last workflow's stopped_at), if it has.
std::optional<circleci::Timestamp> finished_at(const PipelineRun& run);
// Duration from pipeline creation to the last workflow's stop, if finished.
std::optional<std::chrono::seconds> run_duration(const PipelineRun& run);

}  // namespace tjc::cards
