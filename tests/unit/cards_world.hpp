// Snapshots of the scenario world (tests/fixtures/worlds/world.json) as the fetch plan would
// gather them, without a network: the input of the card tests. Header-only, for the card tests.
#pragma once

#include "cards/error_card.hpp"
#include "cards/format.hpp"
#include "cards/outcome.hpp"
#include "cards/render.hpp"
#include "circleci/parse.hpp"
#include "plan/filters.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

namespace tjc::test {

inline const boost::json::object& world() {
    static const boost::json::value w = [] {
        std::ifstream in(TJC_FIXTURES_DIR "/world.json");
        std::stringstream ss;
        ss << in.rdbuf();
        return boost::json::parse(ss.str());
    }();
    return w.as_object();
}

inline circleci::Timestamp time_base() { return *circleci::parse_timestamp(world().at("time_base").as_string()); }

template <typename T, typename F>
T parse_body(const boost::json::value& v, F parser) {
    auto r = parser(boost::json::serialize(v), circleci::ParseLimits{});
    REQUIRE_MESSAGE(r.has_value(), r.error());
    return std::move(r).value();
}

inline std::vector<cards::PipelineRun> runs_of(const boost::json::object& proj, const mapping::ProjectTarget& target,
                                               const std::string& branch) {
    std::vector<cards::PipelineRun> out;
    const auto& workflows = proj.at("workflows").as_object();
    for (const auto& p : proj.at("pipelines").as_array()) {
        auto pipeline = parse_body<circleci::Pipeline>(p, circleci::parse_pipeline);
        if (!branch.empty() && (!pipeline.vcs || pipeline.vcs->branch.value_or("") != branch)) {
            continue;
        }
        if (!plan::pipeline_selected(target, pipeline)) {
            continue;
        }
        cards::PipelineRun run{pipeline, {}, true, {}};
        if (const auto* w = workflows.if_contains(pipeline.id)) {
            boost::json::object page{{"items", *w}, {"next_page_token", nullptr}};
            run.workflows = plan::select_workflows(
                target, parse_body<circleci::Page<circleci::Workflow>>(page, circleci::parse_workflows_page).items);
        }
        if (plan::has_workflow_filter(target) && run.workflows.empty()) {
            continue;
        }
        out.push_back(std::move(run));
    }
    return out;
}

// What the fetch plan would gather for a project of the world, without a network.
inline cards::ProjectSnapshot snapshot(const std::string& slug, std::string branch = {},
                                       mapping::ProjectTarget target = {}) {
    const auto& proj = world().at("projects").at(slug).as_object();
    target.slug = slug;
    if (target.rule.empty()) {
        target.rule = "test";
    }
    if (target.token_secret.empty()) {
        target.token_secret = "CIRCLECI_TOKEN";
    }
    cards::ProjectSnapshot s;
    s.project = parse_body<circleci::Project>(proj.at("project"), circleci::parse_project);
    const auto& default_branch = s.project->vcs_info.default_branch;
    s.branch = branch.empty() && target.commit.empty() ? default_branch : branch;
    s.branch_is_default = s.branch == default_branch;
    s.target = target;
    s.pipelines = runs_of(proj, target, s.branch);
    if (!target.commit.empty()) {
        std::erase_if(s.pipelines, [&](const cards::PipelineRun& r) {
            return !r.pipeline.vcs || !r.pipeline.vcs->revision ||
                   !r.pipeline.vcs->revision->starts_with(target.commit);
        });
    }
    s.default_pipelines = runs_of(proj, target, default_branch);
    s.repo_web_url = s.project->vcs_info.vcs_url;
    const auto& iw = proj.at("insights_workflows").as_object();
    if (const auto* items = iw.if_contains(s.branch.empty() ? default_branch : s.branch)) {
        boost::json::object page{{"items", *items}, {"next_page_token", nullptr}};
        cards::InsightsData data;
        data.workflows =
            parse_body<circleci::Page<circleci::WorkflowMetrics>>(page, circleci::parse_workflow_metrics_page).items;
        data.trends = tjc::cards::trends_of(parse_body<circleci::ProjectPageSummary>(
            proj.at("insights_pages_summary"), circleci::parse_project_page_summary));
        s.insights = std::move(data);
    }
    return s;
}

inline config::CardsSettings& settings() {
    static config::CardsSettings s;
    return s;
}

inline cards::RenderContext ctx(const std::string& app_url = "https://app.circleci.com") {
    return {app_url, &settings(), time_base()};
}

inline void check_schema(const std::vector<cards::Card>& cards) {
    for (const auto& c : cards) {
        INFO(c.content, ": ", cards::validate(c));
        CHECK(cards::validate(c).empty());
    }
}

}  // namespace tjc::test
