// Custom domains (docs/tooljump-contract.md section 5): the hosts of dashboards and other
// sites where the extension may run a `generic` context. tj-host serve lists them in /config
// and GET /custom-domains (the extension's popup asks the person for permission on them) and
// allows their https origins in CORS. They come from the admin (`--custom-domain HOST`) and
// from each plugin's describe(instance) JSON under an optional "customDomains" list. Pure.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tjhost {

// A host as written ("Grafana.Acme.io", "grafana.acme.io:8443") lower-cased; throws
// std::invalid_argument for anything else (a scheme, a path, spaces...).
std::string normalize_custom_domain(std::string_view host);

// The valid hosts under "customDomains" in a plugin's description (others are skipped).
std::vector<std::string> custom_domains_of(const boost::json::value& description);

// Sorted, without duplicates.
std::vector<std::string> merge_custom_domains(std::vector<std::string> a, const std::vector<std::string>& b);

}  // namespace tjhost
