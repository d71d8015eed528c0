// The plugins' own counters (TJ_PLUGIN_STATS_V1) as tj_plugin_* metric families of
// `tj-host serve`: read from each plugin when /metrics is rendered. A plugin without the api
// (ABI 1.0) has no tj_plugin_* series.
#pragma once

#include "metrics.hpp"
#include "session.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace tjhost {

// Declares the tj_plugin_* families (once, before use).
void declare_plugin_stats(Metrics& metrics);

// Copies one plugin's stats JSON (plugin.h's shape) into the families, labelled
// integration=<name>. Unknown keys and values that are not numbers are skipped. Pure.
void record_plugin_stats(Metrics& metrics, const std::string& integration, const boost::json::value& stats);

// Asks every session's plugin that has the api; one whose call fails or whose JSON does not
// parse is skipped (its series keep their last values). [any-thread]
void collect_plugin_stats(const std::vector<Session*>& sessions, Metrics& metrics);

}  // namespace tjhost
