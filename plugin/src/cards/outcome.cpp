#include "cards/outcome.hpp"

namespace tjc::cards {

using circleci::WorkflowStatus;

Outcome outcome_of(const PipelineRun& run) {
    if (run.workflows_failure) {
        return Outcome::unknown;
    }
    if (run.workflows.empty()) {
        if (run.pipeline.state == circleci::PipelineState::errored || !run.pipeline.errors.empty()) {
            return Outcome::errored;
        }
        return run.workflows_known && run.pipeline.state == circleci::PipelineState::created ? Outcome::not_run
                                                                                             : Outcome::pending;
    }
    bool failed = false, failing = false, running = false, on_hold = false, canceled = false, not_run = true;
    for (const auto& w : run.workflows) {
        switch (w.status) {
            case WorkflowStatus::failed:
            case WorkflowStatus::error:
            case WorkflowStatus::unauthorized: failed = true; break;
            case WorkflowStatus::failing: failing = true; break;
            case WorkflowStatus::running: running = true; break;
            case WorkflowStatus::on_hold: on_hold = true; break;
            case WorkflowStatus::canceled: canceled = true; break;
            case WorkflowStatus::success:
            case WorkflowStatus::unknown: break;
            case WorkflowStatus::not_run: continue;
        }
        not_run = false;
    }
    if (failed) {
        return Outcome::failed;
    }
    if (failing) {
        return Outcome::failing;
    }
    if (running) {
        return Outcome::running;
    }
    if (on_hold) {
        return Outcome::on_hold;
    }
    if (canceled) {
        return Outcome::canceled;
    }
    if (not_run) {
        return Outcome::not_run;
    }
    return Outcome::passed;
}

std::string_view to_string(Outcome o) noexcept {
    switch (o) {
        case Outcome::passed: return "passed";
        case Outcome::failed: return "failed";
        case Outcome::failing: return "failing";
        case Outcome::running: return "running";
        case Outcome::on_hold: return "on hold";
        case Outcome::canceled: return "canceled";
        case Outcome::errored: return "errored";
        case Outcome::not_run: return "not run";
        case Outcome::pending: return "pending";
        case Outcome::unknown: return "status unknown";
    }
    return "unknown";
}

Status status_of(Outcome o) noexcept {
    switch (o) {
        case Outcome::passed: return Status::success;
        case Outcome::failed:
        case Outcome::failing:
        case Outcome::errored: return Status::important;
        case Outcome::running:
        case Outcome::on_hold:
        case Outcome::pending: return Status::relevant;
        case Outcome::canceled:
        case Outcome::not_run:
        case Outcome::unknown: break;
    }
    return Status::none;
}

bool is_finished(Outcome o) noexcept {
    return o == Outcome::passed || o == Outcome::failed || o == Outcome::canceled || o == Outcome::errored ||
           o == Outcome::not_run;
}

FailureStreak failure_streak(const std::vector<PipelineRun>& runs) {
    FailureStreak streak;
    bool started = false;
    for (const auto& run : runs) {
        const auto o = outcome_of(run);
        if (!started && (o == Outcome::running || o == Outcome::pending || o == Outcome::on_hold)) {
            continue;
        }
        started = true;
        if (o != Outcome::failed && o != Outcome::failing && o != Outcome::errored) {
            break;
        }
        ++streak.pipelines;
        streak.since = run.pipeline.created_at;
    }
    return streak;
}

std::optional<circleci::Timestamp> finished_at(const PipelineRun& run) {
    std::optional<circleci::Timestamp> last;
    for (const auto& w : run.workflows) {
        if (!w.stopped_at) {
            if (w.status != WorkflowStatus::not_run) {
                return std::nullopt;
            }
            continue;
        }
        if (!last || *w.stopped_at > *last) {
            last = w.stopped_at;
        }
    }
    return last;
}

std::optional<std::chrono::seconds> run_duration(const PipelineRun& run) {
    const auto end = finished_at(run);
    if (!end) {
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::seconds>(*end - run.pipeline.created_at);
}

}  // namespace tjc::cards
