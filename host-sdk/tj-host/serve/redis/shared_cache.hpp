// SharedResults in Redis: the host result cache shared by every replica, single flight across
// them (a lock key per cache key), purges by tag that reach every replica, event ids
// remembered once for all, events handed to the other replicas. Decisions in shared_flight.hpp,
// I/O in redis_client.hpp; this file says which keys and scripts (no Asio here).
//
// Keys (in the --redis database): tj:r:<sha256 of the cache key> the answer, as
// "<generations>\n<results JSON>" with the answer's TTL; tj:l:<same> its lock (SET NX PX, the
// deadline plus a second); tj:g:<integration>:<tag> a tag's purge generation (INCR on purge;
// an answer stored under older generations is a miss); tj:e:<id> an event id seen (a day).
// Channels: tj:<db>:inv (purges) and tj:<db>:ev (events), each message prefixed with the
// sending replica's id so that it skips its own.
#pragma once

#include "metrics.hpp"
#include "redis/redis_client.hpp"
#include "redis/shared_flight.hpp"
#include "shared_results.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace tjhost::redis {

struct SharedCacheHandlers {
    // Another replica purged a tag: drop local entries (scoped tag, as given to purge()).
    std::function<void(const std::string& tag)> on_purge;
    // Another replica received an event: hand it to the local plugins.
    std::function<void(const std::string& event_json)> on_event;
    // The subscription is (re)established, or Redis answers again after failing: purges may
    // have been missed, drop local entries.
    std::function<void()> on_resync;
};

class SharedCache final : public SharedResults {
public:
    // Declares the tj_host_redis_* families in `metrics` (call once).
    static void declare_metrics(Metrics& metrics);

    SharedCache(ClientOptions options, SharedCacheHandlers handlers, Metrics& metrics);
    ~SharedCache() override;

    void acquire(const std::string& key, std::vector<std::string> tags, Clock::time_point deadline,
                 std::function<void(SharedAnswer)> done) override;
    void publish(const SharedLease& lease, const boost::json::array& results, std::chrono::seconds ttl) override;
    void abandon(const SharedLease& lease) override;
    void purge(const std::string& tag) override;
    void broadcast_event(const std::string& event_json) override;
    void remember_event(const std::string& id, std::function<void(std::optional<bool>)> done) override;
    [[nodiscard]] bool usable() const override;

    // Copies the client's health into the gauges and counters (when /metrics is rendered).
    void record_health();
    // Stops every callback (see Client::shutdown); call before what the handlers reach goes.
    void shutdown();

private:
    struct Flight;
    void step(const std::shared_ptr<Flight>& f, SharedFlight::Step s);
    void lookup(const std::shared_ptr<Flight>& f);
    void lock(const std::shared_ptr<Flight>& f);
    void on_message(const std::string& channel, const std::string& payload);

    Metrics& metrics_;
    SharedCacheHandlers handlers_;
    std::string replica_id_;
    std::string purge_channel_;
    std::string event_channel_;
    std::atomic<std::uint64_t> next_lock_{1};
    std::unique_ptr<Client> client_;  // last: its thread stops first
};

// "tj:r:<hex sha256>": the Redis key of a host cache key (also used for its lock).
std::string entry_key(const std::string& cache_key);

}  // namespace tjhost::redis
