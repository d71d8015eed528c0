// ProjectTarget's helpers: how it was mapped, and its identity for the results cache.
#include "mapping/resolve.hpp"

namespace tjc::mapping {

std::string_view to_string(MappedBy by) noexcept {
    switch (by) {
        case MappedBy::rule: return "rule";
        case MappedBy::organization: return "organization";
        case MappedBy::organization_lookup: return "organization lookup";
        case MappedBy::host_convention: return "host convention";
        case MappedBy::service_convention: return "service convention";
    }
    return "rule";
}

bool is_convention(MappedBy by) noexcept {
    return by == MappedBy::organization_lookup || by == MappedBy::host_convention || by == MappedBy::service_convention;
}

std::string ProjectTarget::identity() const {
    // One field a line; lists tagged so that ["a\nb"] and ["a","b"] differ. Values come from
    // a context and may hold anything, '\n' included: each is prefixed with its length.
    std::string key;
    const auto add = [&key](char tag, std::string_view v) {
        key += tag;
        key += std::to_string(v.size());
        key += ':';
        key += v;
        key += '\n';
    };
    add('s', slug.empty() ? "lookup:" + lookup.org_id + "/" + lookup.name_slug : slug);
    for (const auto& f : slug_fallbacks) {
        add('f', f);
    }
    add('m', to_string(mapped_by));
    add('l', rule_label);
    add('b', branch);
    for (const auto& c : branch_candidates) {
        add('B', c);
    }
    add('c', commit);
    add('p', pull);
    add('r', repository_page ? "1" : "0");
    add('t', token_secret);
    add('S', service);
    add('e', env);
    add('T', team);
    for (const auto& w : workflows) {
        add('w', w);
    }
    for (const auto& [k, v] : parameters) {
        add('P', k);
        add('v', v);
    }
    for (const auto& c : cards) {
        add('C', c);
    }
    for (const auto& l : links) {
        add('L', l.name);
        add('u', l.url);
        add('i', l.icon);
    }
    return key;
}

}  // namespace tjc::mapping
