// The one thread that runs host callbacks (completions and logs), so a slow host callback
// delays only other callbacks, never the io thread. Drained and joined by stop().
#pragma once

#include "tjc/mutex.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <thread>

namespace tjc {

class CallbackThread {
public:
    CallbackThread();
    ~CallbackThread();
    CallbackThread(const CallbackThread&) = delete;
    CallbackThread& operator=(const CallbackThread&) = delete;

    // [any-thread] Queues fn; after stop() it is dropped.
    void post(std::function<void()> fn);
    // [host-thread] Runs everything queued so far, then joins. Idempotent.
    void stop();
    // True on the callback thread: blocking calls refuse to run there.
    [[nodiscard]] static bool on_this_thread() noexcept;
    // True on this object's own thread (stop() there would join itself).
    [[nodiscard]] bool is_current() const noexcept { return std::this_thread::get_id() == id_; }

private:
    void run();

    Mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_ TJC_GUARDED_BY(mutex_);
    bool stopping_ TJC_GUARDED_BY(mutex_) = false;
    std::thread thread_;
    std::thread::id id_;  // thread_'s, kept apart: join() resets thread_'s own
};

}  // namespace tjc
