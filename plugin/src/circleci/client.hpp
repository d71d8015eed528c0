// Typed CircleCI API v2 calls over net::HttpClient: one awaitable per endpoint the cards use,
// each ending in a parsed model value (circleci/model.hpp) or an ApiError.
//
// Every call takes the credential first and a deadline last:
// - credential: its token is sent as the Circle-Token header only; never logged, never in an
//   ApiError message, wiped when the call ends. An empty token gives ApiErrorKind::no_token
//   without any I/O. Its secret_name (never a value) labels each attempt for per-secret counts.
// - deadline: the whole call (retries, throttle waits and every page included) ends by it.
// Lifetimes: the Client and the HttpClient it was made with must outlive every awaitable
// they return; arguments are taken by value, so nothing else is borrowed.
// Cancellation: a terminal cancellation on the awaiting coroutine's slot reaches the socket of
// the request in flight (HttpClient::get closes it) and the call ends with
// ApiErrorKind::cancelled; no further page is requested.
// Threading: awaited on the HttpClient's executor only (see net/http_client.hpp).
#pragma once

#include "circleci/api_error.hpp"
#include "circleci/model.hpp"
#include "circleci/parse.hpp"
#include "net/http_client.hpp"
#include "net/http_types.hpp"
#include "tjc/expected.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tjc::circleci {

struct ClientOptions {
    std::size_t max_pages = 5;  // page limit of the calls that follow next_page_token themselves
    ParseLimits limits;         // handed to every parser
};

using Deadline = net::Clock::time_point;

// A token and the name of the secret that held it.
struct Credential {
    std::string secret_name;
    std::string token;
};

class Client {
public:
    Client(net::HttpClient& http, net::Endpoint api, ClientOptions options = {});
    // api_base_url like "https://circleci.com/api/v2"; an error when it is not an https URL.
    static Expected<Client> create(net::HttpClient& http, std::string_view api_base_url, ClientOptions options = {});

    [[nodiscard]] const net::Endpoint& api() const noexcept { return api_; }

    template <typename T>
    using Call = boost::asio::awaitable<ApiResult<T>>;

    // GET /me: the token's user (a token check).
    Call<User> me(Credential credential, Deadline deadline);
    // GET /project/{slug}: default branch (vcs_info.default_branch), VCS info.
    Call<Project> project(Credential credential, std::string slug, Deadline deadline);
    // GET /project/{slug}/pipeline: one page, newest first. branch "" = all branches;
    // page_token "" = the first page.
    Call<Page<Pipeline>> pipelines(Credential credential, std::string slug, std::string branch, std::string page_token,
                                   Deadline deadline);
    // Up to max_pages pages of the above, concatenated; next_page_token is where it stopped.
    Call<Page<Pipeline>> pipelines_pages(Credential credential, std::string slug, std::string branch,
                                         std::size_t max_pages, Deadline deadline);
    // GET /pipeline/{id}
    Call<Pipeline> pipeline(Credential credential, std::string id, Deadline deadline);
    // GET /project/{slug}/pipeline/{number}
    Call<Pipeline> pipeline_by_number(Credential credential, std::string slug, std::int64_t number, Deadline deadline);
    // GET /pipeline/{id}/workflow: every page up to ClientOptions::max_pages.
    Call<Page<Workflow>> workflows(Credential credential, std::string pipeline_id, Deadline deadline);
    // GET /workflow/{id}: also the way from an insights run to its pipeline number.
    Call<Workflow> workflow(Credential credential, std::string id, Deadline deadline);
    // GET /workflow/{id}/job: every page up to ClientOptions::max_pages.
    Call<Page<Job>> jobs(Credential credential, std::string workflow_id, Deadline deadline);
    // GET /insights/{slug}/workflows?branch=&reporting-window=: every page up to max_pages.
    // branch "" = the project's default branch (the API's rule); reporting_window "" = the
    // API's default (last-90-days).
    Call<Page<WorkflowMetrics>> workflow_metrics(Credential credential, std::string slug, std::string branch,
                                                 std::string reporting_window, Deadline deadline);
    // GET /insights/{slug}/workflows/{name}?branch=: the first page (newest runs).
    Call<Page<WorkflowRun>> workflow_runs(Credential credential, std::string slug, std::string name, std::string branch,
                                          Deadline deadline);
    // GET /insights/{slug}/workflows/{name}/summary?branch=. The spec declares no
    // reporting-window here; a non-empty one is still sent (the same window as the others).
    Call<WorkflowSummary> workflow_summary(Credential credential, std::string slug, std::string name,
                                           std::string branch, std::string reporting_window, Deadline deadline);
    // GET /context?owner-id=: an organization's contexts, every page up to max_pages. A token
    // that may not list them gets forbidden or not_found.
    Call<Page<Context>> contexts(Credential credential, std::string owner_id, Deadline deadline);
    // GET /insights/pages/{slug}/summary?reporting-window=&branches=... (one branches= per branch).
    Call<ProjectPageSummary> pages_summary(Credential credential, std::string slug, std::string reporting_window,
                                           std::vector<std::string> branches, Deadline deadline);

private:
    net::HttpClient* http_;
    net::Endpoint api_;
    ClientOptions options_;
};

// Maps a finished HTTP exchange to the client's error kinds (pure; exposed for tests).
// `what` names the call ("GET /project/gh/a/b") in messages; `token` is redacted from them.
ApiError api_error_from(const net::NetError& error, std::string_view token);
// nullopt for a 2xx JSON response; otherwise the ApiError the status/body stand for.
std::optional<ApiError> api_error_from(const net::HttpResponse& response, std::string_view what,
                                       std::string_view token);

}  // namespace tjc::circleci
