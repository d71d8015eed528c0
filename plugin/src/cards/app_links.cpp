#include "cards/app_links.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/pchars.hpp>
#include <boost/url/url.hpp>

namespace tjc::cards {

namespace {

std::string encode_segment(std::string_view s) { return boost::urls::encode(s, boost::urls::pchars); }

}  // namespace

AppLinks::AppLinks(std::string_view app_url, std::string_view slug) : base_(app_url) {
    while (!base_.empty() && base_.back() == '/') {
        base_.pop_back();
    }
    std::size_t start = 0;
    bool first = true;
    while (start <= slug.size()) {
        auto end = slug.find('/', start);
        if (end == std::string_view::npos) {
            end = slug.size();
        }
        auto seg = slug.substr(start, end - start);
        if (first) {
            if (seg == "gh") {
                seg = "github";
            }
            if (seg == "bb") {
                seg = "bitbucket";
            }
            first = false;
        } else {
            app_slug_ += '/';
        }
        app_slug_ += encode_segment(seg);
        if (app_org_.empty() && app_slug_.find('/') != std::string::npos) {
            app_org_ = app_slug_;  // after the second segment
        }
        start = end + 1;
    }
}

std::string AppLinks::context(std::string_view context_id) const {
    return base_ + "/settings/organization/" + app_org_ + "/contexts/" + encode_segment(context_id);
}

std::string AppLinks::dashboard() const { return base_ + "/pipelines/" + app_slug_; }
std::string AppLinks::insights() const { return base_ + "/insights/" + app_slug_ + "/workflows"; }
std::string AppLinks::insights_workflow(std::string_view workflow, std::string_view branch,
                                        std::string_view window) const {
    boost::urls::url u(insights() + "/" + encode_segment(workflow) + "/overview");
    if (!branch.empty()) {
        u.params().append({"branch", branch});
    }
    if (!window.empty()) {
        u.params().append({"reporting-window", window});
    }
    return std::string(u.buffer());
}

std::string AppLinks::settings() const { return base_ + "/settings/project/" + app_slug_; }
std::string AppLinks::pipeline(std::int64_t number) const { return dashboard() + "/" + std::to_string(number); }
std::string AppLinks::workflow(std::int64_t pipeline_number, std::string_view workflow_id) const {
    return pipeline(pipeline_number) + "/workflows/" + encode_segment(workflow_id);
}

}  // namespace tjc::cards
