#include "secrets.hpp"

#include <openssl/crypto.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace tjhost {

namespace {

std::optional<std::string> process_env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (!v) {
        return std::nullopt;
    }
    return std::string(v);
}

void wipe(std::string& s) {
    if (!s.empty()) {
        OPENSSL_cleanse(s.data(), s.size());
    }
    s.clear();
}

// The file's bytes without trailing whitespace; nullopt when it cannot be read.
std::optional<std::string> read_secret_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        wipe(text);
        return std::nullopt;
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
        text.pop_back();
    }
    return text;
}

}  // namespace

SecretStore::SecretStore(Environment env) : env_(env ? std::move(env) : Environment(process_env)) {}

SecretStore::~SecretStore() {
    for (auto& [name, e] : entries_) {
        wipe(e.value);
    }
}

SecretStore::Entry SecretStore::read(const std::string& name, std::string& problem) const {
    Entry e;
    const std::string var = "INTEGRATION_" + name;
    if (auto v = env_(var); v && !v->empty()) {
        e.value = std::move(*v);
        e.source = var;
        return e;
    }
    if (auto path = env_(var + "_FILE"); path && !path->empty()) {
        if (auto v = read_secret_file(*path)) {
            e.value = std::move(*v);
            e.source = var + "_FILE=" + *path;
        } else {
            problem = "secret " + name + ": cannot read " + var + "_FILE (" + *path + ")";
        }
        return e;
    }
    if (auto dir = env_("CREDENTIALS_DIRECTORY"); dir && !dir->empty()) {
        const std::string path = *dir + "/" + name;
        if (auto v = read_secret_file(path)) {
            e.value = std::move(*v);
            e.source = "credential " + path;
        }
        // No credential of that name is normal: the secret may simply not be set.
    }
    return e;
}

std::string SecretStore::declare(const std::string& name) {
    std::string problem;
    {
        tjc::MutexLock lock(mutex_);
        if (entries_.contains(name)) {
            return {};
        }
    }
    Entry e = read(name, problem);
    tjc::MutexLock lock(mutex_);
    auto [it, inserted] = entries_.emplace(name, std::move(e));
    if (!inserted) {
        wipe(e.value);
    }
    return problem;
}

std::vector<std::string> SecretStore::reload() {
    std::vector<std::string> names;
    {
        tjc::MutexLock lock(mutex_);
        for (const auto& [name, e] : entries_) {
            names.push_back(name);
        }
    }
    std::vector<std::string> problems;
    for (const auto& name : names) {
        std::string problem;
        Entry fresh = read(name, problem);
        if (!problem.empty()) {
            problems.push_back(std::move(problem));
        }
        tjc::MutexLock lock(mutex_);
        auto& e = entries_[name];
        wipe(e.value);
        e = std::move(fresh);
    }
    return problems;
}

std::optional<std::string> SecretStore::get(std::string_view name) const {
    tjc::MutexLock lock(mutex_);
    auto it = entries_.find(name);
    if (it == entries_.end() || it->second.value.empty()) {
        return std::nullopt;
    }
    return it->second.value;
}

std::string SecretStore::source_of(std::string_view name) const {
    tjc::MutexLock lock(mutex_);
    auto it = entries_.find(name);
    return it == entries_.end() ? std::string() : it->second.source;
}

tj_status SecretStore::callback(void* host_data, tj_str_view name, tj_secret_sink sink, void* sink_data) {
    const auto* store = static_cast<const SecretStore*>(host_data);
    if (!store || !sink || (!name.ptr && name.len)) {
        return TJ_STATUS_INVALID_ARGUMENT;
    }
    auto value = store->get(std::string_view(name.ptr ? name.ptr : "", name.len));
    if (!value) {
        return TJ_STATUS_NO_MATCH;
    }
    sink(sink_data, tj_str_view{value->data(), value->size()});
    wipe(*value);
    return TJ_STATUS_OK;
}

}  // namespace tjhost
