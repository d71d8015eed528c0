#include "cards/pipeline_text.hpp"

#include "cards/format.hpp"
#include "cards/result.hpp"

namespace tjc::cards {

std::string error_lines(const PipelineRun& run) {
    std::string out;
    for (const auto& e : run.pipeline.errors) {
        if (e.message.empty()) {
            continue;
        }
        if (!out.empty()) {
            out += '\n';
        }
        // Config errors run over many lines: one line of them reads at a glance.
        std::string message = e.message;
        for (auto& c : message) {
            if (c == '\n' || c == '\r' || c == '\t') {
                c = ' ';
            }
        }
        out += "Error" + (e.type.empty() ? std::string() : " (" + e.type + ")") + ": " + clip(message, kMaxErrorText);
    }
    return out;
}

std::string pipeline_tooltip(const PipelineRun& run, std::string_view head) {
    std::string tip(head);
    const auto line = [&tip](const std::string& text) {
        if (!text.empty()) {
            tip += (tip.empty() ? "" : "\n") + text;
        }
    };
    line(error_lines(run));
    for (const auto& w : run.workflows) {
        line(w.name + ": " + std::string(circleci::to_string(w.status)));
    }
    const auto& p = run.pipeline;
    if (p.vcs && p.vcs->commit_subject) {
        line(subject(*p.vcs->commit_subject, 120));
    }
    const std::string by = p.trigger.actor_login ? *p.trigger.actor_login : std::string();
    if (p.vcs && p.vcs->revision) {
        line(short_sha(*p.vcs->revision) + (by.empty() ? "" : " by " + by));
    } else if (!by.empty()) {
        line("Triggered by " + by);
    }
    if (run.workflows_failure) {
        line("Its workflows could not be read (" + std::string(to_string(run.workflows_failure->kind)) +
             (run.workflows_failure->detail.empty() ? "" : ": " + run.workflows_failure->detail) + ")");
    }
    return clip(tip, kMaxTooltip);
}

}  // namespace tjc::cards
