// CircleCI API v2 body parsers. A Ctx records the first error (with its JSON path); readers
// keep going after it but the result is discarded, which keeps every reader a plain function.
#include "circleci/parse.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace tjc::circleci {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Timestamps

namespace {

// Reads exactly n ASCII digits at text[pos..]; false if any is not a digit.
bool digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > text.size()) {
        return false;
    }
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        const char ch = text[i];
        if (ch < '0' || ch > '9') {
            return false;
        }
        v = v * 10 + (ch - '0');
    }
    out = v;
    return true;
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view t) {
    using namespace std::chrono;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    // YYYY-MM-DDTHH:MM:SS
    if (!digits(t, 0, 4, y) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, mo) || t[7] != '-' ||
        !digits(t, 8, 2, d) || (t[10] != 'T' && t[10] != 't') || !digits(t, 11, 2, h) || t[13] != ':' ||
        !digits(t, 14, 2, mi) || t[16] != ':' || !digits(t, 17, 2, s)) {
        return std::nullopt;
    }
    if (h > 23 || mi > 59 || s > 60) {
        return std::nullopt;  // 60: leap second
    }
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }

    std::size_t pos = 19;
    int millis = 0;
    if (pos < t.size() && t[pos] == '.') {
        ++pos;
        const std::size_t start = pos;
        int scale = 100;
        while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
            millis += (t[pos] - '0') * scale;  // digits past the third add 0 (scale reaches 0)
            scale /= 10;
            ++pos;
        }
        if (pos == start) {
            return std::nullopt;  // "." needs at least one digit
        }
    }

    minutes offset{0};
    if (pos >= t.size()) {
        return std::nullopt;  // the offset is mandatory in RFC 3339
    }
    if (t[pos] == 'Z' || t[pos] == 'z') {
        ++pos;
    } else if (t[pos] == '+' || t[pos] == '-') {
        int oh = 0, om = 0;
        if (!digits(t, pos + 1, 2, oh) || pos + 3 >= t.size() || t[pos + 3] != ':' || !digits(t, pos + 4, 2, om) ||
            oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset = hours{oh} + minutes{om};
        if (t[pos] == '-') {
            offset = -offset;
        }
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != t.size()) {
        return std::nullopt;
    }

    return Timestamp{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s} + milliseconds{millis} - offset;
}

std::string format_timestamp(Timestamp t) {
    using namespace std::chrono;
    const auto day_start = floor<days>(t);
    const year_month_day ymd{day_start};
    const hh_mm_ss<milliseconds> tod{t - day_start};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                  static_cast<int>(tod.seconds().count()), static_cast<int>(tod.subseconds().count()));
    return buf;
}

// ---------------------------------------------------------------------------------------------
// Readers

namespace {

struct Ctx {
    std::optional<std::string> error;

    void fail(const std::string& path, std::string_view what) {
        if (!error) {
            error = (path.empty() ? std::string("body") : path) + ": " + std::string(what);
        }
    }
};

std::string at(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string at(const std::string& path, std::size_t index) { return path + "[" + std::to_string(index) + "]"; }

std::string_view kind(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null: return "null";
        case json::kind::bool_: return "boolean";
        case json::kind::int64:
        case json::kind::uint64:
        case json::kind::double_: return "number";
        case json::kind::string: return "string";
        case json::kind::array: return "array";
        case json::kind::object: return "object";
    }
    return "value";
}

bool expected(Ctx& c, const json::value& v, const std::string& path, std::string_view what) {
    c.fail(path, "expected " + std::string(what) + ", got " + std::string(kind(v)));
    return false;
}

// A short, printable echo of a bad string value for error messages.
std::string echo(std::string_view s) {
    std::string out = "\"";
    for (char ch : s.substr(0, 40)) {
        out += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
    }
    if (s.size() > 40) {
        out += "...";
    }
    return out + "\"";
}

const json::object* object_at(Ctx& c, const json::value& v, const std::string& path) {
    if (const auto* o = v.if_object()) {
        return o;
    }
    expected(c, v, path, "an object");
    return nullptr;
}

// Scalars --------------------------------------------------------------------------------------

bool read(Ctx& c, const json::value& v, const std::string& path, std::string& out) {
    if (const auto* s = v.if_string()) {
        out.assign(s->data(), s->size());
        return true;
    }
    return expected(c, v, path, "a string");
}

bool read(Ctx& c, const json::value& v, const std::string& path, std::int64_t& out) {
    if (const auto* i = v.if_int64()) {
        out = *i;
        return true;
    }
    if (v.is_uint64()) {  // Boost.JSON only uses uint64 above INT64_MAX
        c.fail(path, "integer out of range");
        return false;
    }
    if (const auto* d = v.if_double()) {
        // JSON has one number type: accept 12.0, not 12.5; 2^63 is the first double out of range.
        if (!std::isfinite(*d) || *d < -9223372036854775808.0 || *d >= 9223372036854775808.0) {
            c.fail(path, "integer out of range");
            return false;
        }
        if (std::trunc(*d) != *d) {
            return expected(c, v, path, "an integer");
        }
        out = static_cast<std::int64_t>(*d);
        return true;
    }
    return expected(c, v, path, "an integer");
}

bool read(Ctx& c, const json::value& v, const std::string& path, double& out) {
    if (const auto* i = v.if_int64()) {
        out = static_cast<double>(*i);
        return true;
    }
    if (const auto* u = v.if_uint64()) {
        out = static_cast<double>(*u);
        return true;
    }
    if (const auto* d = v.if_double()) {
        if (!std::isfinite(*d)) {  // Boost.JSON reads 1e400 as infinity
            c.fail(path, "number out of range");
            return false;
        }
        out = *d;
        return true;
    }
    return expected(c, v, path, "a number");
}

bool read(Ctx& c, const json::value& v, const std::string& path, bool& out) {
    if (const auto* b = v.if_bool()) {
        out = *b;
        return true;
    }
    return expected(c, v, path, "a boolean");
}

bool read(Ctx& c, const json::value& v, const std::string& path, Timestamp& out) {
    const auto* s = v.if_string();
    if (!s) {
        return expected(c, v, path, "an RFC 3339 timestamp string");
    }
    const std::string_view text(s->data(), s->size());
    if (auto t = parse_timestamp(text)) {
        out = *t;
        return true;
    }
    c.fail(path, "expected an RFC 3339 timestamp, got " + echo(text));
    return false;
}

template <typename E, E (*from_string)(std::string_view)>
bool read_enum(Ctx& c, const json::value& v, const std::string& path, E& out) {
    const auto* s = v.if_string();
    if (!s) {
        return expected(c, v, path, "a string");
    }
    out = from_string(std::string_view(s->data(), s->size()));
    return true;
}
bool read(Ctx& c, const json::value& v, const std::string& path, WorkflowStatus& out) {
    return read_enum<WorkflowStatus, workflow_status_from_string>(c, v, path, out);
}
bool read(Ctx& c, const json::value& v, const std::string& path, JobStatus& out) {
    return read_enum<JobStatus, job_status_from_string>(c, v, path, out);
}
bool read(Ctx& c, const json::value& v, const std::string& path, PipelineState& out) {
    return read_enum<PipelineState, pipeline_state_from_string>(c, v, path, out);
}
bool read(Ctx& c, const json::value& v, const std::string& path, JobType& out) {
    return read_enum<JobType, job_type_from_string>(c, v, path, out);
}

// Structs (declared here so the templates below see them) ------------------------------------

bool read(Ctx&, const json::value&, const std::string&, PipelineError&);
bool read(Ctx&, const json::value&, const std::string&, Trigger&);
bool read(Ctx&, const json::value&, const std::string&, Vcs&);
bool read(Ctx&, const json::value&, const std::string&, Pipeline&);
bool read(Ctx&, const json::value&, const std::string&, Workflow&);
bool read(Ctx&, const json::value&, const std::string&, Job&);
bool read(Ctx&, const json::value&, const std::string&, VcsInfo&);
bool read(Ctx&, const json::value&, const std::string&, Project&);
bool read(Ctx&, const json::value&, const std::string&, User&);
bool read(Ctx&, const json::value&, const std::string&, Context&);
bool read(Ctx&, const json::value&, const std::string&, DurationMetrics&);
bool read(Ctx&, const json::value&, const std::string&, RunMetrics&);
bool read(Ctx&, const json::value&, const std::string&, WorkflowMetrics&);
bool read(Ctx&, const json::value&, const std::string&, WorkflowRun&);
bool read(Ctx&, const json::value&, const std::string&, SummaryMetrics&);
bool read(Ctx&, const json::value&, const std::string&, SummaryTrends&);
bool read(Ctx&, const json::value&, const std::string&, WorkflowSummary&);
bool read(Ctx&, const json::value&, const std::string&, PageProjectMetrics&);
bool read(Ctx&, const json::value&, const std::string&, PageProjectTrends&);
bool read(Ctx&, const json::value&, const std::string&, PageProjectData&);
bool read(Ctx&, const json::value&, const std::string&, PageWorkflowMetrics&);
bool read(Ctx&, const json::value&, const std::string&, PageWorkflowTrends&);
bool read(Ctx&, const json::value&, const std::string&, PageWorkflowData&);
bool read(Ctx&, const json::value&, const std::string&, ProjectPageSummary&);

template <typename T>
bool read(Ctx& c, const json::value& v, const std::string& path, std::vector<T>& out) {
    const auto* a = v.if_array();
    if (!a) {
        return expected(c, v, path, "an array");
    }
    out.clear();
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        T item{};
        if (!read(c, (*a)[i], at(path, i), item)) {
            return false;
        }
        out.push_back(std::move(item));
    }
    return true;
}

template <typename T>
bool read(Ctx& c, const json::value& v, const std::string& path, Page<T>& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    const auto* items = o->if_contains("items");
    if (!items) {
        c.fail(at(path, "items"), "missing");
        return false;
    }
    // Item by item: an item of another shape is left out (and counted); only a list whose
    // every item is odd is not the list we asked for.
    const std::string items_path = at(path, "items");
    const auto* list = items->if_array();
    if (!list) {
        return expected(c, *items, items_path, "an array");
    }
    out.items.clear();
    out.items.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        Ctx item_ctx;
        T item{};
        if (read(item_ctx, (*list)[i], at(items_path, i), item) && !item_ctx.error) {
            out.items.push_back(std::move(item));
        } else {
            if (out.skipped++ == 0) {
                out.skipped_problem = item_ctx.error.value_or(at(items_path, i) + ": unreadable");
            }
        }
    }
    if (!list->empty() && out.items.empty()) {
        if (!c.error) {
            c.error = out.skipped_problem;  // no item of the expected shape: say why the first is not
        }
        return false;
    }
    // Required but nullable in the spec; a missing token is read as "no more pages".
    if (const auto* tok = o->if_contains("next_page_token"); tok && !tok->is_null()) {
        std::string token;
        if (!read(c, *tok, at(path, "next_page_token"), token)) {
            return false;
        }
        if (!token.empty()) {
            out.next_page_token = std::move(token);
        }
    }
    return true;
}

// Fields ---------------------------------------------------------------------------------------

// Present and of the right type; null is a type error.
template <typename T>
void required(Ctx& c, const json::object& o, std::string_view key, const std::string& path, T& out) {
    const auto* v = o.if_contains(key);
    if (!v) {
        c.fail(at(path, key), "missing");
        return;
    }
    read(c, *v, at(path, key), out);
}

// Missing or null -> nullopt; otherwise of the right type.
template <typename T>
void optional(Ctx& c, const json::object& o, std::string_view key, const std::string& path, std::optional<T>& out) {
    out.reset();
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
        return;
    }
    T tmp{};
    if (read(c, *v, at(path, key), tmp)) {
        out = std::move(tmp);
    }
}

// Missing or null -> left as default-constructed (empty list, struct of nullopts).
template <typename T>
void defaulted(Ctx& c, const json::object& o, std::string_view key, const std::string& path, T& out) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null()) {
        return;
    }
    read(c, *v, at(path, key), out);
}

// Untyped in the spec (project_id, org_id): keep a string, ignore anything else.
void loose_string(const json::object& o, std::string_view key, std::optional<std::string>& out) {
    if (const auto* v = o.if_contains(key); v && v->is_string()) {
        out = std::string(v->get_string().data(), v->get_string().size());
    }
}

// Struct readers ---------------------------------------------------------------------------------

bool read(Ctx& c, const json::value& v, const std::string& path, PipelineError& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "type", path, out.type);
    required(c, *o, "message", path, out.message);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, Trigger& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "type", path, out.type);
    optional(c, *o, "received_at", path, out.received_at);
    if (const auto* actor = o->if_contains("actor"); actor && !actor->is_null()) {
        const std::string apath = at(path, "actor");
        if (const auto* ao = object_at(c, *actor, apath)) {
            optional(c, *ao, "login", apath, out.actor_login);
            optional(c, *ao, "avatar_url", apath, out.actor_avatar_url);
        }
    }
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, Vcs& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    optional(c, *o, "provider_name", path, out.provider_name);
    optional(c, *o, "origin_repository_url", path, out.origin_repository_url);
    optional(c, *o, "target_repository_url", path, out.target_repository_url);
    optional(c, *o, "revision", path, out.revision);
    optional(c, *o, "branch", path, out.branch);
    optional(c, *o, "tag", path, out.tag);
    optional(c, *o, "review_id", path, out.review_id);
    optional(c, *o, "review_url", path, out.review_url);
    if (const auto* commit = o->if_contains("commit"); commit && !commit->is_null()) {
        const std::string cpath = at(path, "commit");
        if (const auto* co = object_at(c, *commit, cpath)) {
            optional(c, *co, "subject", cpath, out.commit_subject);
            optional(c, *co, "body", cpath, out.commit_body);
        }
    }
    return !c.error;
}

// The shortest text that reads back as the same double ("1.5", not Boost's "1.5E0").
std::string shortest(double d) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

// String, integer and boolean values as text; objects (allowed by the spec), arrays and nulls
// are skipped rather than rejected.
void read_trigger_parameters(Ctx& c, const json::object& o, const std::string& path,
                             std::map<std::string, std::string>& out) {
    const auto* v = o.if_contains("trigger_parameters");
    if (!v || v->is_null()) {
        return;
    }
    const std::string ppath = at(path, "trigger_parameters");
    const auto* params = object_at(c, *v, ppath);
    if (!params) {
        return;
    }
    for (const auto& kv : *params) {
        const std::string key(kv.key().data(), kv.key().size());
        const json::value& val = kv.value();
        if (const auto* s = val.if_string()) {
            out[key] = std::string(s->data(), s->size());
        } else if (val.is_bool()) {
            out[key] = val.get_bool() ? "true" : "false";
        } else if (val.is_int64()) {
            out[key] = std::to_string(val.get_int64());
        } else if (val.is_uint64()) {
            out[key] = std::to_string(val.get_uint64());
        } else if (val.is_double()) {
            out[key] = shortest(val.get_double());
        }
    }
}

bool read(Ctx& c, const json::value& v, const std::string& path, Pipeline& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "id", path, out.id);
    required(c, *o, "number", path, out.number);
    required(c, *o, "project_slug", path, out.project_slug);
    required(c, *o, "state", path, out.state);
    required(c, *o, "created_at", path, out.created_at);
    optional(c, *o, "updated_at", path, out.updated_at);
    required(c, *o, "trigger", path, out.trigger);
    optional(c, *o, "vcs", path, out.vcs);
    read_trigger_parameters(c, *o, path, out.trigger_parameters);
    defaulted(c, *o, "errors", path, out.errors);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, Workflow& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "id", path, out.id);
    required(c, *o, "name", path, out.name);
    required(c, *o, "status", path, out.status);
    required(c, *o, "created_at", path, out.created_at);
    optional(c, *o, "stopped_at", path, out.stopped_at);
    // Required by the spec, null in some old workflows: the cards never read them (they know
    // which pipeline they asked about), so a null leaves them empty rather than failing.
    defaulted(c, *o, "pipeline_id", path, out.pipeline_id);
    defaulted(c, *o, "pipeline_number", path, out.pipeline_number);
    defaulted(c, *o, "project_slug", path, out.project_slug);
    optional(c, *o, "tag", path, out.tag);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, Job& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "id", path, out.id);
    required(c, *o, "name", path, out.name);
    optional(c, *o, "job_number", path, out.job_number);
    // Documented bodies carry "status": null (outside the enum): read it as unknown.
    if (const auto* s = o->if_contains("status"); s && s->is_null()) {
        out.status = JobStatus::unknown;
    } else {
        required(c, *o, "status", path, out.status);
    }
    required(c, *o, "type", path, out.type);
    optional(c, *o, "started_at", path, out.started_at);
    optional(c, *o, "stopped_at", path, out.stopped_at);
    optional(c, *o, "approval_request_id", path, out.approval_request_id);
    optional(c, *o, "project_slug", path, out.project_slug);
    defaulted(c, *o, "dependencies", path, out.dependencies);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, VcsInfo& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "vcs_url", path, out.vcs_url);
    required(c, *o, "provider", path, out.provider);
    required(c, *o, "default_branch", path, out.default_branch);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, Project& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "slug", path, out.slug);
    required(c, *o, "name", path, out.name);
    optional(c, *o, "id", path, out.id);
    required(c, *o, "organization_name", path, out.organization_name);
    optional(c, *o, "organization_slug", path, out.organization_slug);
    optional(c, *o, "organization_id", path, out.organization_id);
    required(c, *o, "vcs_info", path, out.vcs_info);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, User& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "id", path, out.id);
    required(c, *o, "login", path, out.login);
    required(c, *o, "name", path, out.name);
    optional(c, *o, "avatar_url", path, out.avatar_url);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, DurationMetrics& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    optional(c, *o, "min", path, out.min);
    optional(c, *o, "max", path, out.max);
    optional(c, *o, "median", path, out.median);
    optional(c, *o, "mean", path, out.mean);
    optional(c, *o, "p95", path, out.p95);
    optional(c, *o, "standard_deviation", path, out.standard_deviation);
    return !c.error;
}

void read_run_metrics_fields(Ctx& c, const json::object& o, const std::string& path, RunMetrics& out) {
    required(c, o, "total_runs", path, out.total_runs);
    optional(c, o, "successful_runs", path, out.successful_runs);
    optional(c, o, "failed_runs", path, out.failed_runs);
    required(c, o, "success_rate", path, out.success_rate);
    optional(c, o, "throughput", path, out.throughput);
    optional(c, o, "mttr", path, out.mttr);
    optional(c, o, "total_credits_used", path, out.total_credits_used);
    optional(c, o, "total_recoveries", path, out.total_recoveries);
    defaulted(c, o, "duration_metrics", path, out.duration_metrics);
}

bool read(Ctx& c, const json::value& v, const std::string& path, RunMetrics& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    read_run_metrics_fields(c, *o, path, out);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, WorkflowMetrics& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "name", path, out.name);
    optional(c, *o, "window_start", path, out.window_start);
    optional(c, *o, "window_end", path, out.window_end);
    loose_string(*o, "project_id", out.project_id);
    required(c, *o, "metrics", path, out.metrics);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, WorkflowRun& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "id", path, out.id);
    optional(c, *o, "branch", path, out.branch);
    optional(c, *o, "duration", path, out.duration);
    required(c, *o, "created_at", path, out.created_at);
    optional(c, *o, "stopped_at", path, out.stopped_at);
    optional(c, *o, "status", path, out.status);
    optional(c, *o, "credits_used", path, out.credits_used);
    std::optional<bool> approval;
    optional(c, *o, "is_approval", path, approval);
    out.is_approval = approval.value_or(false);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, SummaryMetrics& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    read_run_metrics_fields(c, *o, path, out);
    optional(c, *o, "completed_runs", path, out.completed_runs);
    optional(c, *o, "window_start", path, out.window_start);
    optional(c, *o, "window_end", path, out.window_end);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, SummaryTrends& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    optional(c, *o, "total_runs", path, out.total_runs);
    optional(c, *o, "failed_runs", path, out.failed_runs);
    optional(c, *o, "success_rate", path, out.success_rate);
    optional(c, *o, "p95_duration_secs", path, out.p95_duration_secs);
    optional(c, *o, "median_duration_secs", path, out.median_duration_secs);
    optional(c, *o, "total_credits_used", path, out.total_credits_used);
    optional(c, *o, "mttr", path, out.mttr);
    optional(c, *o, "throughput", path, out.throughput);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, WorkflowSummary& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "metrics", path, out.metrics);
    defaulted(c, *o, "trends", path, out.trends);
    defaulted(c, *o, "workflow_names", path, out.workflow_names);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, PageProjectMetrics& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    optional(c, *o, "total_runs", path, out.total_runs);
    optional(c, *o, "total_duration_secs", path, out.total_duration_secs);
    optional(c, *o, "total_credits_used", path, out.total_credits_used);
    optional(c, *o, "success_rate", path, out.success_rate);
    optional(c, *o, "throughput", path, out.throughput);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, PageProjectTrends& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    optional(c, *o, "total_runs", path, out.total_runs);
    optional(c, *o, "total_duration_secs", path, out.total_duration_secs);
    optional(c, *o, "total_credits_used", path, out.total_credits_used);
    optional(c, *o, "success_rate", path, out.success_rate);
    optional(c, *o, "throughput", path, out.throughput);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, PageProjectData& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    defaulted(c, *o, "metrics", path, out.metrics);
    defaulted(c, *o, "trends", path, out.trends);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, PageWorkflowMetrics& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    optional(c, *o, "total_credits_used", path, out.total_credits_used);
    optional(c, *o, "p95_duration_secs", path, out.p95_duration_secs);
    optional(c, *o, "total_runs", path, out.total_runs);
    optional(c, *o, "success_rate", path, out.success_rate);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, PageWorkflowTrends& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    optional(c, *o, "total_credits_used", path, out.total_credits_used);
    optional(c, *o, "p95_duration_secs", path, out.p95_duration_secs);
    optional(c, *o, "total_runs", path, out.total_runs);
    optional(c, *o, "success_rate", path, out.success_rate);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, PageWorkflowData& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "workflow_name", path, out.workflow_name);
    optional(c, *o, "branch", path, out.branch);
    defaulted(c, *o, "metrics", path, out.metrics);
    defaulted(c, *o, "trends", path, out.trends);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, Context& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    required(c, *o, "id", path, out.id);
    required(c, *o, "name", path, out.name);
    optional(c, *o, "created_at", path, out.created_at);
    return !c.error;
}

bool read(Ctx& c, const json::value& v, const std::string& path, ProjectPageSummary& out) {
    const auto* o = object_at(c, v, path);
    if (!o) {
        return false;
    }
    loose_string(*o, "org_id", out.org_id);
    loose_string(*o, "project_id", out.project_id);
    defaulted(c, *o, "project_data", path, out.project_data);
    defaulted(c, *o, "project_workflow_data", path, out.project_workflow_data);
    defaulted(c, *o, "project_workflow_branch_data", path, out.project_workflow_branch_data);
    defaulted(c, *o, "all_branches", path, out.all_branches);
    defaulted(c, *o, "all_workflows", path, out.all_workflows);
    return !c.error;
}

// Body -> JSON value, within the limits ----------------------------------------------------------

Expected<json::value> parse_json(std::string_view body, const ParseLimits& limits) {
    if (body.size() > limits.max_body_bytes) {
        return Error{"body: " + std::to_string(body.size()) + " bytes exceeds the limit of " +
                     std::to_string(limits.max_body_bytes)};
    }
    json::parse_options options;
    options.max_depth = limits.max_depth;
    json::stream_parser parser(json::storage_ptr(), options);
    boost::system::error_code ec;
    const std::size_t consumed = parser.write(body.data(), body.size(), ec);
    if (!ec) {
        parser.finish(ec);
    }
    if (ec) {
        return Error{"body: invalid JSON at byte " + std::to_string(consumed) + ": " + ec.message()};
    }
    return parser.release();
}

template <typename T>
Expected<T> parse_as(std::string_view body, const ParseLimits& limits) {
    auto doc = parse_json(body, limits);
    if (!doc) {
        return Error{doc.error()};
    }
    Ctx c;
    T out{};
    read(c, doc.value(), std::string(), out);
    if (c.error) {
        return Error{*c.error};
    }
    return out;
}

}  // namespace

Expected<Page<Pipeline>> parse_pipelines_page(std::string_view body, const ParseLimits& limits) {
    return parse_as<Page<Pipeline>>(body, limits);
}
Expected<Pipeline> parse_pipeline(std::string_view body, const ParseLimits& limits) {
    return parse_as<Pipeline>(body, limits);
}
Expected<Page<Workflow>> parse_workflows_page(std::string_view body, const ParseLimits& limits) {
    return parse_as<Page<Workflow>>(body, limits);
}
Expected<Workflow> parse_workflow(std::string_view body, const ParseLimits& limits) {
    return parse_as<Workflow>(body, limits);
}
Expected<Page<Job>> parse_jobs_page(std::string_view body, const ParseLimits& limits) {
    return parse_as<Page<Job>>(body, limits);
}
Expected<Page<WorkflowMetrics>> parse_workflow_metrics_page(std::string_view body, const ParseLimits& limits) {
    return parse_as<Page<WorkflowMetrics>>(body, limits);
}
Expected<Page<WorkflowRun>> parse_workflow_runs_page(std::string_view body, const ParseLimits& limits) {
    return parse_as<Page<WorkflowRun>>(body, limits);
}
Expected<WorkflowSummary> parse_workflow_summary(std::string_view body, const ParseLimits& limits) {
    return parse_as<WorkflowSummary>(body, limits);
}
Expected<ProjectPageSummary> parse_project_page_summary(std::string_view body, const ParseLimits& limits) {
    return parse_as<ProjectPageSummary>(body, limits);
}
Expected<Project> parse_project(std::string_view body, const ParseLimits& limits) {
    return parse_as<Project>(body, limits);
}
Expected<User> parse_user(std::string_view body, const ParseLimits& limits) { return parse_as<User>(body, limits); }

Expected<Page<Context>> parse_contexts_page(std::string_view body, const ParseLimits& limits) {
    return parse_as<Page<Context>>(body, limits);
}

std::optional<std::string> parse_error_message(std::string_view body, const ParseLimits& limits) {
    auto doc = parse_json(body, limits);
    if (!doc) {
        return std::nullopt;
    }
    const auto* o = doc.value().if_object();
    if (!o) {
        return std::nullopt;
    }
    const auto* m = o->if_contains("message");
    if (!m || !m->is_string()) {
        return std::nullopt;
    }
    return std::string(m->get_string().data(), m->get_string().size());
}

}  // namespace tjc::circleci
