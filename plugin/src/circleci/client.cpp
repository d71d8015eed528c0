#include "circleci/client.hpp"

#include "net/redact.hpp"
#include "net/url.hpp"
#include "util/wipe.hpp"

#include <utility>

namespace tjc::circleci {

namespace {

template <typename T>
using Parser = Expected<T> (*)(std::string_view, const ParseLimits&);

ApiErrorKind kind_of(net::NetErrorKind k) {
    switch (k) {
        case net::NetErrorKind::unreachable: return ApiErrorKind::unreachable;
        case net::NetErrorKind::tls: return ApiErrorKind::tls;
        case net::NetErrorKind::timeout: return ApiErrorKind::timeout;
        case net::NetErrorKind::cancelled: return ApiErrorKind::cancelled;
        case net::NetErrorKind::rate_limited: return ApiErrorKind::rate_limited;
        case net::NetErrorKind::bad_response: return ApiErrorKind::bad_response;
    }
    return ApiErrorKind::bad_response;
}

// The server's own words: {"message"} of a JSON body, else one line of whatever it sent.
std::string server_says(const net::HttpResponse& r) {
    if (net::is_json_content_type(r.content_type)) {
        if (auto m = parse_error_message(r.body)) {
            return net::summarize_body(*m);
        }
    }
    return net::summarize_body(r.body);
}

ApiError no_token() {
    return {ApiErrorKind::no_token, 0, "no CircleCI API token: set the token secret to a personal API token", {}};
}

bool usable_token(std::string_view token) {
    if (token.empty()) {
        return false;
    }
    for (unsigned char c : token) {
        if (c < 0x21 || c == 0x7f) {
            return false;  // no header injection, no stray whitespace
        }
    }
    return true;
}

}  // namespace

ApiError api_error_from(const net::NetError& error, std::string_view token) {
    return {kind_of(error.kind), 0, net::redact(error.message, token), error.retry_after};
}

std::optional<ApiError> api_error_from(const net::HttpResponse& r, std::string_view what_view, std::string_view token) {
    const std::string what(what_view);
    const int status = static_cast<int>(r.status);
    auto make = [&](ApiErrorKind k, std::string msg) {
        return ApiError{k, status, net::redact(std::move(msg), token), {}};
    };
    if (status >= 200 && status < 300) {
        if (net::is_json_content_type(r.content_type)) {
            return std::nullopt;
        }
        return make(ApiErrorKind::bad_response, what + std::string(": expected JSON, got ") +
                                                    (r.content_type.empty() ? "no content type" : r.content_type) +
                                                    ": " + net::summarize_body(r.body, 80));
    }
    const std::string says = server_says(r);
    switch (status) {
        case 401:
            return make(ApiErrorKind::unauthorized,
                        "CircleCI rejected the token (401: " + says +
                            "). API v2 accepts personal API tokens only; a project API token always gets 401");
        case 403:
            return make(ApiErrorKind::forbidden, what + ": the token's user may not see this (403: " + says + ")");
        case 404:
            return make(ApiErrorKind::not_found, what + ": not found (404: " + says +
                                                     "); check the slug and that the token's user can see the project");
        case 429: {
            auto e = make(ApiErrorKind::rate_limited, "CircleCI rate limit (429: " + says + ")");
            e.retry_after = r.retry_after;
            if (r.retry_after) {
                e.message += "; retry in " + std::to_string(r.retry_after->count()) + " s";
            }
            return e;
        }
        default: break;
    }
    if (status >= 500) {
        return make(ApiErrorKind::server_error, what + ": CircleCI answered " + std::to_string(status) + ": " + says);
    }
    return make(ApiErrorKind::bad_response, what + ": CircleCI answered " + std::to_string(status) + ": " + says);
}

namespace {

// One GET: the response parsed by `parse`, or the ApiError it stands for.
template <typename T>
boost::asio::awaitable<ApiResult<T>> call(net::HttpClient& http, net::Endpoint api, ParseLimits limits,
                                          Credential credential, std::string path, std::vector<net::QueryParam> query,
                                          Parser<T> parse, Deadline deadline) {
    std::string& token = credential.token;
    WipeOnExit wipe_token(token);
    if (!usable_token(token)) {
        co_return no_token();
    }
    const std::string what = "GET " + api.base_path + path;
    net::GetRequest req;
    req.server = api;
    req.target = net::build_target(api.base_path, path, query);
    // One copy each, no initializer-list temporaries: run_get wipes both when it ends.
    req.headers.reserve(2);
    req.headers.push_back({"Circle-Token", token});
    req.headers.push_back({"Accept", "application/json"});
    req.secret = token;
    req.secret_name = credential.secret_name;
    auto result = co_await http.get(std::move(req), deadline);
    if (!result.has_value()) {
        co_return api_error_from(result.error(), token);
    }
    const net::HttpResponse& resp = result.value();
    if (auto e = api_error_from(resp, what, token)) {
        co_return std::move(*e);
    }
    auto parsed = parse(resp.body, limits);
    if (!parsed.has_value()) {
        co_return ApiError{ApiErrorKind::bad_response,
                           static_cast<int>(resp.status),
                           net::redact(what + ": unexpected response: " + parsed.error(), token),
                           {}};
    }
    co_return std::move(parsed).value();
}

// Follows next_page_token up to max_pages; the result's next_page_token is where it stopped.
template <typename T>
boost::asio::awaitable<ApiResult<Page<T>>> pages(net::HttpClient& http, net::Endpoint api, ParseLimits limits,
                                                 Credential credential, std::string path,
                                                 std::vector<net::QueryParam> query, Parser<Page<T>> parse,
                                                 std::size_t max_pages, Deadline deadline) {
    WipeOnExit wipe_token(credential.token);
    Page<T> all;
    std::optional<std::string> token_for_next;
    for (std::size_t i = 0; i < std::max<std::size_t>(max_pages, 1); ++i) {
        auto q = query;
        if (token_for_next) {
            q.push_back({"page-token", *token_for_next});
        }
        auto page = co_await call<Page<T>>(http, api, limits, credential, path, std::move(q), parse, deadline);
        if (!page.has_value()) {
            co_return page.error();
        }
        for (auto& item : page.value().items) {
            all.items.push_back(std::move(item));
        }
        token_for_next = std::move(page.value().next_page_token);
        if (!token_for_next || token_for_next->empty()) {
            token_for_next.reset();
            break;
        }
    }
    all.next_page_token = std::move(token_for_next);
    co_return all;
}

// A slug that is not vcs/org/repo never reaches the network: its path segment in `out`, or
// the not_found error to answer with.
std::optional<ApiError> slug_segment(const std::string& slug, std::string& out) {
    auto encoded = net::encode_slug(slug);
    if (!encoded.has_value()) {
        return ApiError{ApiErrorKind::not_found, 0, encoded.error(), {}};
    }
    out = std::move(encoded.value());
    return std::nullopt;
}

void add_if(std::vector<net::QueryParam>& q, const char* key, const std::string& value) {
    if (!value.empty()) {
        q.push_back({key, value});
    }
}

}  // namespace

Client::Client(net::HttpClient& http, net::Endpoint api, ClientOptions options)
    : http_(&http), api_(std::move(api)), options_(options) {}

Expected<Client> Client::create(net::HttpClient& http, std::string_view api_base_url, ClientOptions options) {
    auto e = net::parse_endpoint(api_base_url);
    if (!e.has_value()) {
        return Error{"circleci.api_url: " + e.error()};
    }
    return Client(http, std::move(e.value()), options);
}

Client::Call<User> Client::me(Credential credential, Deadline deadline) {
    co_return co_await call<User>(*http_, api_, options_.limits, std::move(credential), "/me", {}, &parse_user,
                                  deadline);
}

Client::Call<Project> Client::project(Credential credential, std::string slug, Deadline deadline) {
    std::string s;
    if (auto e = slug_segment(slug, s)) {
        co_return std::move(*e);
    }
    co_return co_await call<Project>(*http_, api_, options_.limits, std::move(credential), "/project/" + s, {},
                                     &parse_project, deadline);
}

Client::Call<Page<Pipeline>> Client::pipelines(Credential credential, std::string slug, std::string branch,
                                               std::string page_token, Deadline deadline) {
    std::string s;
    if (auto e = slug_segment(slug, s)) {
        co_return std::move(*e);
    }
    std::vector<net::QueryParam> q;
    add_if(q, "branch", branch);
    add_if(q, "page-token", page_token);
    co_return co_await call<Page<Pipeline>>(*http_, api_, options_.limits, std::move(credential),
                                            "/project/" + s + "/pipeline", std::move(q), &parse_pipelines_page,
                                            deadline);
}

Client::Call<Page<Pipeline>> Client::pipelines_pages(Credential credential, std::string slug, std::string branch,
                                                     std::size_t max_pages, Deadline deadline) {
    std::string s;
    if (auto e = slug_segment(slug, s)) {
        co_return std::move(*e);
    }
    std::vector<net::QueryParam> q;
    add_if(q, "branch", branch);
    co_return co_await pages<Pipeline>(*http_, api_, options_.limits, std::move(credential),
                                       "/project/" + s + "/pipeline", std::move(q), &parse_pipelines_page, max_pages,
                                       deadline);
}

Client::Call<Pipeline> Client::pipeline(Credential credential, std::string id, Deadline deadline) {
    co_return co_await call<Pipeline>(*http_, api_, options_.limits, std::move(credential),
                                      "/pipeline/" + net::encode_segment(id), {}, &parse_pipeline, deadline);
}

Client::Call<Pipeline> Client::pipeline_by_number(Credential credential, std::string slug, std::int64_t number,
                                                  Deadline deadline) {
    std::string s;
    if (auto e = slug_segment(slug, s)) {
        co_return std::move(*e);
    }
    co_return co_await call<Pipeline>(*http_, api_, options_.limits, std::move(credential),
                                      "/project/" + s + "/pipeline/" + std::to_string(number), {}, &parse_pipeline,
                                      deadline);
}

Client::Call<Page<Workflow>> Client::workflows(Credential credential, std::string pipeline_id, Deadline deadline) {
    co_return co_await pages<Workflow>(*http_, api_, options_.limits, std::move(credential),
                                       "/pipeline/" + net::encode_segment(pipeline_id) + "/workflow", {},
                                       &parse_workflows_page, options_.max_pages, deadline);
}

Client::Call<Workflow> Client::workflow(Credential credential, std::string id, Deadline deadline) {
    co_return co_await call<Workflow>(*http_, api_, options_.limits, std::move(credential),
                                      "/workflow/" + net::encode_segment(id), {}, &parse_workflow, deadline);
}

Client::Call<Page<Job>> Client::jobs(Credential credential, std::string workflow_id, Deadline deadline) {
    co_return co_await pages<Job>(*http_, api_, options_.limits, std::move(credential),
                                  "/workflow/" + net::encode_segment(workflow_id) + "/job", {}, &parse_jobs_page,
                                  options_.max_pages, deadline);
}

Client::Call<Page<WorkflowMetrics>> Client::workflow_metrics(Credential credential, std::string slug,
                                                             std::string branch, std::string reporting_window,
                                                             Deadline deadline) {
    std::string s;
    if (auto e = slug_segment(slug, s)) {
        co_return std::move(*e);
    }
    std::vector<net::QueryParam> q;
    add_if(q, "branch", branch);
    add_if(q, "reporting-window", reporting_window);
    co_return co_await pages<WorkflowMetrics>(*http_, api_, options_.limits, std::move(credential),
                                              "/insights/" + s + "/workflows", std::move(q),
                                              &parse_workflow_metrics_page, options_.max_pages, deadline);
}

Client::Call<Page<WorkflowRun>> Client::workflow_runs(Credential credential, std::string slug, std::string name,
                                                      std::string branch, Deadline deadline) {
    std::string s;
    if (auto e = slug_segment(slug, s)) {
        co_return std::move(*e);
    }
    std::vector<net::QueryParam> q;
    add_if(q, "branch", branch);
    co_return co_await call<Page<WorkflowRun>>(*http_, api_, options_.limits, std::move(credential),
                                               "/insights/" + s + "/workflows/" + net::encode_segment(name),
                                               std::move(q), &parse_workflow_runs_page, deadline);
}

Client::Call<WorkflowSummary> Client::workflow_summary(Credential credential, std::string slug, std::string name,
                                                       std::string branch, std::string reporting_window,
                                                       Deadline deadline) {
    std::string s;
    if (auto e = slug_segment(slug, s)) {
        co_return std::move(*e);
    }
    std::vector<net::QueryParam> q;
    add_if(q, "branch", branch);
    add_if(q, "reporting-window", reporting_window);
    co_return co_await call<WorkflowSummary>(*http_, api_, options_.limits, std::move(credential),
                                             "/insights/" + s + "/workflows/" + net::encode_segment(name) + "/summary",
                                             std::move(q), &parse_workflow_summary, deadline);
}

Client::Call<Page<Context>> Client::contexts(Credential credential, std::string owner_id, Deadline deadline) {
    std::vector<net::QueryParam> q;
    add_if(q, "owner-id", owner_id);
    co_return co_await pages<Context>(*http_, api_, options_.limits, std::move(credential), "/context", std::move(q),
                                      &parse_contexts_page, options_.max_pages, deadline);
}

Client::Call<ProjectPageSummary> Client::pages_summary(Credential credential, std::string slug,
                                                       std::string reporting_window, std::vector<std::string> branches,
                                                       Deadline deadline) {
    std::string s;
    if (auto e = slug_segment(slug, s)) {
        co_return std::move(*e);
    }
    std::vector<net::QueryParam> q;
    add_if(q, "reporting-window", reporting_window);
    for (const auto& b : branches) {
        add_if(q, "branches", b);
    }
    co_return co_await call<ProjectPageSummary>(*http_, api_, options_.limits, std::move(credential),
                                                "/insights/pages/" + s + "/summary", std::move(q),
                                                &parse_project_page_summary, deadline);
}

}  // namespace tjc::circleci
