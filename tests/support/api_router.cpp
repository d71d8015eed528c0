#include "api_router.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <vector>

namespace tjc::testing {
namespace json = boost::json;
namespace {

ApiResponse message(int status, std::string_view text) {
    return {status, json::serialize(json::object{{"message", text}})};
}

ApiResponse ok(const json::value& v) { return {200, json::serialize(v)}; }

struct Query {
    boost::urls::params_view params;
    std::optional<std::string> get(std::string_view key) const {
        auto it = params.find(key);
        if (it == params.end() || !(*it).has_value) {
            return std::nullopt;
        }
        return std::string((*it).value);
    }
};

const json::object* obj_at(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

const json::array* arr_at(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_array() ? &it->value().get_array() : nullptr;
}

std::string str_at(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it != o.end() && it->value().is_string() ? std::string(it->value().get_string()) : std::string();
}

// Page tokens are opaque to clients; here they carry the offset of the next item.
std::optional<std::size_t> parse_page_token(const std::optional<std::string>& token) {
    if (!token || token->empty()) {
        return 0;
    }
    constexpr std::string_view prefix = "tjc-page-";
    if (token->rfind(prefix, 0) != 0) {
        return std::nullopt;
    }
    std::size_t offset = 0;
    auto rest = std::string_view(*token).substr(prefix.size());
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), offset);
    if (ec != std::errc() || p != rest.data() + rest.size()) {
        return std::nullopt;
    }
    return offset;
}

ApiResponse paginate(const std::vector<const json::value*>& items, const Query& q, std::size_t page_size) {
    auto offset = parse_page_token(q.get("page-token"));
    if (!offset || *offset > items.size()) {
        return message(400, "Invalid page-token.");
    }
    json::array page;
    std::size_t end = std::min(items.size(), *offset + std::max<std::size_t>(page_size, 1));
    for (std::size_t i = *offset; i < end; ++i) {
        page.push_back(*items[i]);
    }
    json::value next = nullptr;
    if (end < items.size()) {
        next = "tjc-page-" + std::to_string(end);
    }
    return ok(json::object{{"items", std::move(page)}, {"next_page_token", std::move(next)}});
}

std::vector<const json::value*> all_of(const json::array* arr) {
    std::vector<const json::value*> out;
    if (arr) {
        for (const auto& v : *arr) {
            out.push_back(&v);
        }
    }
    return out;
}

bool field_equals(const json::value& item, std::string_view key, std::string_view want) {
    const auto* o = item.if_object();
    return o && str_at(*o, key) == want;
}

// The branch an insights call is scoped to: `branch`, else the project's default branch
// ("If not passed we will scope the API call to the default branch"); nullopt = all branches.
std::optional<std::string> insights_branch(const json::object& project, const Query& q) {
    if (auto b = q.get("branch")) {
        return b;
    }
    if (q.get("all-branches") == std::optional<std::string>("true")) {
        return std::nullopt;
    }
    if (const auto* p = obj_at(project, "project")) {
        if (const auto* vcs = obj_at(*p, "vcs_info")) {
            return str_at(*vcs, "default_branch");
        }
    }
    return std::string();
}

bool valid_reporting_window(const Query& q) {
    auto w = q.get("reporting-window");
    if (!w) {
        return true;
    }
    static constexpr std::array<std::string_view, 5> allowed{"last-7-days", "last-90-days", "last-24-hours",
                                                             "last-30-days", "last-60-days"};
    for (auto a : allowed) {
        if (*w == a) {
            return true;
        }
    }
    return false;
}

ApiResponse invalid_window() {
    return message(422,
                   "reporting-window must be one of last-24-hours, last-7-days, last-30-days, "
                   "last-60-days, last-90-days.");
}

// Finds a pipeline (by id) or workflow (by id) anywhere in the world.
const json::value* find_pipeline(const World& w, std::string_view id, const json::object** project = nullptr) {
    for (const auto& kv : w.projects()) {
        if (!kv.value().is_object()) {
            continue;
        }
        if (const auto* ps = arr_at(kv.value().get_object(), "pipelines")) {
            for (const auto& p : *ps) {
                if (field_equals(p, "id", id)) {
                    if (project) {
                        *project = &kv.value().get_object();
                    }
                    return &p;
                }
            }
        }
    }
    return nullptr;
}

const json::value* find_workflow(const World& w, std::string_view id, const json::object** project = nullptr) {
    for (const auto& kv : w.projects()) {
        if (!kv.value().is_object()) {
            continue;
        }
        if (const auto* by_pipeline = obj_at(kv.value().get_object(), "workflows")) {
            for (const auto& list : *by_pipeline) {
                if (list.value().is_array()) {
                    for (const auto& wf : list.value().get_array()) {
                        if (field_equals(wf, "id", id)) {
                            if (project) {
                                *project = &kv.value().get_object();
                            }
                            return &wf;
                        }
                    }
                }
            }
        }
    }
    return nullptr;
}

// The slug is always three parts: vcs/org/repo, or circleci/<org-id>/<project-id>.
// Accepts the long VCS names too.
const json::object* find_project(const World& w, const RouterOptions& o, const std::vector<std::string>& atoms,
                                 std::size_t at) {
    if (atoms.size() < at + 3) {
        return nullptr;
    }
    const auto find = [&](const std::string& slug) {
        return o.slugs_ignore_case ? w.project_ignoring_case(slug) : w.project(slug);
    };
    std::string vcs = atoms[at];
    std::string rest = atoms[at + 1] + "/" + atoms[at + 2];
    if (const auto* p = find(vcs + "/" + rest)) {
        return p;
    }
    if (vcs == "github") {
        return find("gh/" + rest);
    }
    if (vcs == "bitbucket") {
        return find("bb/" + rest);
    }
    if (vcs == "gh") {
        return find("github/" + rest);
    }
    if (vcs == "bb") {
        return find("bitbucket/" + rest);
    }
    return nullptr;
}

// GET /context?owner-id=<org id> (or owner-slug=gh/<org>): the world's "contexts" map, keyed
// by owner; an owner whose value is "forbidden" answers 403, as for a token that may not list them.
ApiResponse context_route(const World& w, const RouterOptions& o, const Query& q) {
    auto owner = q.get("owner-id");
    if (!owner) {
        owner = q.get("owner-slug");
    }
    if (!owner) {
        return message(400, "owner-id or owner-slug is required.");
    }
    const auto* all = obj_at(w.root, "contexts");
    const auto it = all ? all->find(*owner) : nullptr;
    if (!all || it == all->end()) {
        return message(404, "Not found.");
    }
    if (it->value().is_string()) {
        return message(403, "Permission denied.");
    }
    return paginate(all_of(it->value().is_array() ? &it->value().get_array() : nullptr), q, o.page_size);
}

ApiResponse not_found() { return message(404, "Not found."); }
ApiResponse project_not_found() { return message(404, "Project not found"); }

// /project/{slug}[/pipeline[/{number}]]
ApiResponse project_routes(const World& w, const RouterOptions& o, const std::vector<std::string>& a, const Query& q) {
    const auto* project = find_project(w, o, a, 1);
    if (!project) {
        return project_not_found();
    }
    std::size_t n = a.size();
    if (n == 4) {
        const auto* p = obj_at(*project, "project");
        return p ? ok(*p) : project_not_found();
    }
    if (a[4] != "pipeline") {
        return not_found();
    }
    const auto* pipelines = arr_at(*project, "pipelines");
    if (n == 5) {
        auto branch = q.get("branch");
        std::vector<const json::value*> items;
        for (const auto* p : all_of(pipelines)) {
            if (branch) {
                const auto* po = p->if_object();
                const auto* vcs = po ? obj_at(*po, "vcs") : nullptr;
                if (!vcs || str_at(*vcs, "branch") != *branch) {
                    continue;
                }
            }
            items.push_back(p);
        }
        return paginate(items, q, o.pipeline_page_size ? o.pipeline_page_size : o.page_size);
    }
    if (n == 6) {
        std::int64_t number = 0;
        auto [ptr, ec] = std::from_chars(a[5].data(), a[5].data() + a[5].size(), number);
        if (ec != std::errc() || ptr != a[5].data() + a[5].size()) {
            return message(400, "Invalid pipeline number.");
        }
        for (const auto* p : all_of(pipelines)) {
            const auto* po = p->if_object();
            auto it = po ? po->find("number") : nullptr;
            if (po && it != po->end() && it->value().is_int64() && it->value().get_int64() == number) {
                return ok(*p);
            }
        }
        return message(404, "Pipeline not found");
    }
    return not_found();
}

// /insights/{slug}/workflows[/{name}[/summary]] and /insights/pages/{slug}/summary
ApiResponse insights_routes(const World& w, const RouterOptions& o, const std::vector<std::string>& a, const Query& q) {
    std::size_t n = a.size();
    if (n >= 2 && a[1] == "pages") {
        if (n != 6 || a[5] != "summary") {
            return not_found();
        }
        const auto* project = find_project(w, o, a, 2);
        if (!project) {
            return project_not_found();
        }
        if (!valid_reporting_window(q)) {
            return invalid_window();
        }
        const auto* s = obj_at(*project, "insights_pages_summary");
        return s ? ok(*s) : not_found();
    }
    const auto* project = find_project(w, o, a, 1);
    if (!project) {
        return project_not_found();
    }
    if (n < 5 || a[4] != "workflows") {
        return not_found();
    }
    if (n == 5) {
        if (!valid_reporting_window(q)) {
            return invalid_window();
        }
        auto branch = insights_branch(*project, q);
        const auto* by_branch = obj_at(*project, "insights_workflows");
        const json::array* items = nullptr;
        if (by_branch) {
            items = arr_at(*by_branch, branch ? *branch : std::string("*"));
        }
        return paginate(all_of(items), q, o.page_size);
    }
    const std::string& name = a[5];
    if (n == 6) {
        auto branch = insights_branch(*project, q);
        const auto* runs = obj_at(*project, "insights_runs");
        std::vector<const json::value*> items;
        for (const auto* r : all_of(runs ? arr_at(*runs, name) : nullptr)) {
            if (!branch || field_equals(*r, "branch", *branch)) {
                items.push_back(r);
            }
        }
        return paginate(items, q, o.page_size);
    }
    if (n == 7 && a[6] == "summary") {
        if (!valid_reporting_window(q)) {
            return invalid_window();
        }
        const auto* summaries = obj_at(*project, "insights_summary");
        const auto* s = summaries ? obj_at(*summaries, name) : nullptr;
        return s ? ok(*s) : message(404, "Workflow not found");
    }
    return not_found();
}

}  // namespace

TargetPaths target_paths(std::string_view target) {
    auto u = boost::urls::parse_origin_form(target);
    if (!u) {
        return {};
    }
    std::string decoded;
    for (auto seg : u->segments()) {
        decoded += "/" + seg;
    }
    return {std::string(u->encoded_path()), decoded};
}

namespace {

constexpr std::string_view kCloneMark = "--clone-";  // in a repo name: gh/acme/deploys--clone-7
constexpr char kCloneIdMark = '~';                   // in an id: c7~<the original id>

// A request for a clone, as the request for its original; `clone` gets the clone's number
// ("" when the request names no clone).
std::string unclone_target(std::string_view target, std::string& clone) {
    std::string t(target);
    if (auto at = t.find(kCloneMark); at != std::string::npos) {
        auto end = at + kCloneMark.size();
        while (end < t.size() && std::isdigit(static_cast<unsigned char>(t[end]))) {
            ++end;
        }
        clone = t.substr(at + kCloneMark.size(), end - at - kCloneMark.size());
        t.erase(at, end - at);
    } else if (auto c = t.find("/c"); c != std::string::npos) {
        // /pipeline/c7~<id>/workflow, /workflow/c7~<id>
        for (std::size_t from = 0; (c = t.find("/c", from)) != std::string::npos; from = c + 1) {
            auto tilde = t.find(kCloneIdMark, c);
            if (tilde == std::string::npos || tilde == c + 2) {
                continue;
            }
            const auto digits = t.substr(c + 2, tilde - c - 2);
            if (!std::all_of(digits.begin(), digits.end(), [](unsigned char ch) { return std::isdigit(ch); })) {
                continue;
            }
            clone = digits;
            t.erase(c + 1, tilde - c);
            break;
        }
    }
    return t;
}

// The original's answer as the clone's: its ids prefixed, its repo renamed wherever it appears.
void reclone(json::value& v, const std::string& clone, const std::string& repo_from, const std::string& repo_to) {
    if (auto* o = v.if_object()) {
        for (auto& kv : *o) {
            auto* s = kv.value().if_string();
            if (s && (kv.key() == "id" || kv.key() == "pipeline_id")) {
                *s = json::string("c" + clone + kCloneIdMark + std::string(*s));
            } else {
                reclone(kv.value(), clone, repo_from, repo_to);
            }
        }
    } else if (auto* a = v.if_array()) {
        for (auto& e : *a) {
            reclone(e, clone, repo_from, repo_to);
        }
    } else if (auto* s = v.if_string()) {
        std::string text(*s);
        for (auto at = text.find(repo_from); at != std::string::npos; at = text.find(repo_from, at + repo_to.size())) {
            text.replace(at, repo_from.size(), repo_to);
        }
        *s = json::string(text);
    }
}

ApiResponse route_original(const World& w, const RouterOptions& o, const ApiRequest& r);

}  // namespace

ApiResponse route_request(const World& w, const RouterOptions& o, const ApiRequest& r) {
    std::string clone;
    const auto target = unclone_target(r.target, clone);
    if (clone.empty() || o.clone_of.empty()) {
        return route_original(w, o, r);
    }
    ApiRequest original = r;
    original.target = target;
    auto response = route_original(w, o, original);
    boost::system::error_code ec;
    auto body = json::parse(response.body, ec);
    if (ec || response.status != 200) {
        return response;
    }
    const auto repo = o.clone_of.substr(o.clone_of.find('/') + 1);  // "acme/deploys"
    reclone(body, clone, repo, repo + std::string(kCloneMark) + clone);
    response.body = json::serialize(body);
    return response;
}

namespace {

ApiResponse route_original(const World& w, const RouterOptions& o, const ApiRequest& r) {
    auto u = boost::urls::parse_origin_form(r.target);
    if (!u) {
        return message(400, "Bad request target.");
    }
    if (!r.token || *r.token != o.token) {
        return message(401, "You must log in first.");
    }
    if (r.method != "GET") {
        return message(405, "Method not allowed.");
    }

    // Segments arrive decoded, so an escaped slug ("gh%2Facme%2Fpassing") is one segment
    // with slashes in it; splitting them again makes both spellings the same list.
    std::vector<std::string> atoms;
    for (auto seg : u->segments()) {
        std::string s = seg;
        std::size_t start = 0;
        for (;;) {
            auto slash = s.find('/', start);
            atoms.push_back(s.substr(start, slash - start));
            if (slash == std::string::npos) {
                break;
            }
            start = slash + 1;
        }
    }
    if (atoms.size() < 3 || atoms[0] != "api" || atoms[1] != "v2") {
        return not_found();
    }
    atoms.erase(atoms.begin(), atoms.begin() + 2);
    Query q{u->params()};
    const std::size_t n = atoms.size();
    const std::string& head = atoms[0];

    if (head == "me" && n == 1) {
        const auto* me = obj_at(w.root, "me");
        return me ? ok(*me) : ok(json::object{{"id", "00000000-0000-0000-0000-000000000000"}, {"login", "test"}});
    }
    if (head == "project" && n >= 4) {
        return project_routes(w, o, atoms, q);
    }
    if (head == "context" && n == 1) {
        return context_route(w, o, q);
    }
    if (head == "insights" && n >= 4) {
        return insights_routes(w, o, atoms, q);
    }
    if (head == "pipeline" && (n == 2 || (n == 3 && atoms[2] == "workflow"))) {
        const json::object* project = nullptr;
        const auto* p = find_pipeline(w, atoms[1], &project);
        if (!p) {
            return message(404, "Pipeline not found");
        }
        if (n == 2) {
            return ok(*p);
        }
        const auto* by_pipeline = obj_at(*project, "workflows");
        return paginate(all_of(by_pipeline ? arr_at(*by_pipeline, atoms[1]) : nullptr), q, o.page_size);
    }
    if (head == "workflow" && (n == 2 || (n == 3 && atoms[2] == "job"))) {
        const json::object* project = nullptr;
        const auto* wf = find_workflow(w, atoms[1], &project);
        if (!wf) {
            return message(404, "Workflow not found");
        }
        if (n == 2) {
            return ok(*wf);
        }
        // The spec declares no page-token here: every job in one page.
        const auto* by_workflow = obj_at(*project, "jobs");
        const auto* jobs = by_workflow ? arr_at(*by_workflow, atoms[1]) : nullptr;
        return ok(json::object{{"items", jobs ? json::value(*jobs) : json::array()}, {"next_page_token", nullptr}});
    }
    return not_found();
}

}  // namespace

}  // namespace tjc::testing
