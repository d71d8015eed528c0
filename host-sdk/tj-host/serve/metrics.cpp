#include "metrics.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace tjhost {

namespace {

std::string render_labels(const Labels& labels, const std::string& extra_name = {},
                          const std::string& extra_value = {}) {
    if (labels.empty() && extra_name.empty()) {
        return {};
    }
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : labels) {
        if (!first) {
            out += ',';
        }
        first = false;
        out += k + "=\"" + escape_label_value(v) + '"';
    }
    if (!extra_name.empty()) {
        if (!first) {
            out += ',';
        }
        out += extra_name + "=\"" + escape_label_value(extra_value) + '"';
    }
    return out + "}";
}

std::string escape_help(const std::string& h) {
    std::string out;
    for (char c : h) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string escape_label_value(const std::string& v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string format_metric_number(double v) {
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    if (std::isnan(v)) {
        return "NaN";
    }
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        return std::to_string(static_cast<long long>(v));
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

Metrics::Family& Metrics::family(const std::string& name) {
    auto it = families_.find(name);
    if (it == families_.end()) {
        throw std::logic_error("metric family not declared: " + name);
    }
    return it->second;
}

void Metrics::counter(const std::string& name, const std::string& help) {
    tjc::MutexLock lock(mutex_);
    families_[name] = Family{Type::counter, help, {}, {}};
}

void Metrics::gauge(const std::string& name, const std::string& help) {
    tjc::MutexLock lock(mutex_);
    families_[name] = Family{Type::gauge, help, {}, {}};
}

void Metrics::histogram(const std::string& name, const std::string& help, std::vector<double> upper_bounds) {
    tjc::MutexLock lock(mutex_);
    families_[name] = Family{Type::histogram, help, std::move(upper_bounds), {}};
}

void Metrics::add(const std::string& name, const Labels& labels, double v) {
    tjc::MutexLock lock(mutex_);
    auto& s = family(name).series[render_labels(labels)];
    s.first = labels;
    s.second.value += v;
}

void Metrics::set(const std::string& name, const Labels& labels, double v) {
    tjc::MutexLock lock(mutex_);
    auto& s = family(name).series[render_labels(labels)];
    s.first = labels;
    s.second.value = v;
}

void Metrics::observe(const std::string& name, const Labels& labels, double v) {
    tjc::MutexLock lock(mutex_);
    auto& f = family(name);
    auto& s = f.series[render_labels(labels)];
    s.first = labels;
    if (s.second.buckets.empty()) {
        s.second.buckets.assign(f.bounds.size(), 0);
    }
    for (std::size_t i = 0; i < f.bounds.size(); ++i) {
        if (v <= f.bounds[i]) {
            ++s.second.buckets[i];
            break;
        }
    }
    s.second.sum += v;
    ++s.second.count;
}

double Metrics::value(const std::string& name, const Labels& labels) const {
    tjc::MutexLock lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end()) {
        return 0;
    }
    auto s = it->second.series.find(render_labels(labels));
    if (s == it->second.series.end()) {
        return 0;
    }
    return it->second.type == Type::histogram ? static_cast<double>(s->second.second.count) : s->second.second.value;
}

std::string Metrics::render() const {
    tjc::MutexLock lock(mutex_);
    std::string out;
    for (const auto& [name, f] : families_) {
        out += "# HELP " + name + " " + escape_help(f.help) + "\n";
        out += "# TYPE " + name + " " +
               (f.type == Type::counter ? "counter"
                : f.type == Type::gauge ? "gauge"
                                        : "histogram") +
               "\n";
        for (const auto& [key, entry] : f.series) {
            const auto& [labels, s] = entry;
            if (f.type != Type::histogram) {
                out += name + key + " " + format_metric_number(s.value) + "\n";
                continue;
            }
            std::uint64_t cumulative = 0;
            for (std::size_t i = 0; i < f.bounds.size(); ++i) {
                cumulative += s.buckets.empty() ? 0 : s.buckets[i];
                out += name + "_bucket" + render_labels(labels, "le", format_metric_number(f.bounds[i])) + " " +
                       std::to_string(cumulative) + "\n";
            }
            out += name + "_bucket" + render_labels(labels, "le", "+Inf") + " " + std::to_string(s.count) + "\n";
            out += name + "_sum" + key + " " + format_metric_number(s.sum) + "\n";
            out += name + "_count" + key + " " + std::to_string(s.count) + "\n";
        }
    }
    return out;
}

}  // namespace tjhost
