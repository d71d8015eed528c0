// A small Prometheus registry for `tj-host serve` (GET /metrics): counters and histograms with
// labels, rendered in the text exposition format 0.0.4 (# HELP, # TYPE, escaped label
// values, histograms as cumulative _bucket{le=...}, _sum and _count). Thread-safe.
#pragma once

#include "tjc/mutex.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tjhost {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
public:
    // Declares a family once (before use); names follow Prometheus' [a-zA-Z_:][a-zA-Z0-9_:]*.
    void counter(const std::string& name, const std::string& help);
    void gauge(const std::string& name, const std::string& help);
    void histogram(const std::string& name, const std::string& help, std::vector<double> upper_bounds);

    void add(const std::string& name, const Labels& labels, double v = 1);
    void set(const std::string& name, const Labels& labels, double v);  // gauges, and counters read from elsewhere
    void observe(const std::string& name, const Labels& labels, double v);

    // The whole registry as text/plain; version=0.0.4.
    [[nodiscard]] std::string render() const;

    // The value of one counter/gauge series, or of a histogram's count (0 when absent): for tests.
    [[nodiscard]] double value(const std::string& name, const Labels& labels) const;

private:
    enum class Type { counter, gauge, histogram };
    struct Series {
        double value = 0;                    // counter/gauge
        std::vector<std::uint64_t> buckets;  // histogram: per bound, not cumulative
        double sum = 0;
        std::uint64_t count = 0;
    };
    struct Family {
        Type type = Type::counter;
        std::string help;
        std::vector<double> bounds;
        std::map<std::string, std::pair<Labels, Series>> series;  // by rendered labels
    };
    Family& family(const std::string& name) TJC_REQUIRES(mutex_);
    mutable tjc::Mutex mutex_;
    std::map<std::string, Family> families_ TJC_GUARDED_BY(mutex_);
};

// Label value escaping of the text format: backslash, double quote and newline.
std::string escape_label_value(const std::string& v);
// A number as the text format writes it (+Inf, integers without a fraction).
std::string format_metric_number(double v);

}  // namespace tjhost
