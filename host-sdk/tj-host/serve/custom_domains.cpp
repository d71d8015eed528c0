#include "custom_domains.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace tjhost {

std::string normalize_custom_domain(std::string_view host) {
    std::string out;
    const auto colon = host.find(':');
    const auto name = host.substr(0, colon);
    const bool name_ok = !name.empty() && name.size() <= 253 && name.front() != '.' && name.front() != '-' &&
                         name.back() != '.' && std::all_of(name.begin(), name.end(), [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
                         });
    bool port_ok = true;
    if (colon != std::string_view::npos) {
        const auto port = host.substr(colon + 1);
        port_ok = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        });
    }
    if (!name_ok || !port_ok) {
        throw std::invalid_argument("a custom domain is a host name such as grafana.acme.io (optionally :PORT), not '" +
                                    std::string(host) + "'");
    }
    for (char c : host) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::vector<std::string> custom_domains_of(const boost::json::value& description) {
    std::vector<std::string> out;
    const auto* o = description.if_object();
    const auto* list = o ? o->if_contains("customDomains") : nullptr;
    if (!list || !list->is_array()) {
        return out;
    }
    for (const auto& v : list->as_array()) {
        if (!v.is_string()) {
            continue;
        }
        try {
            out.push_back(normalize_custom_domain(std::string_view(v.as_string())));
        } catch (const std::invalid_argument&) {
            // A plugin's bad entry is skipped, not fatal.
        }
    }
    return out;
}

std::vector<std::string> merge_custom_domains(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    return a;
}

}  // namespace tjhost
