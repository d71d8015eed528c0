#include "instance/callback_thread.hpp"

#include <pthread.h>

namespace tjc {

namespace {
thread_local bool t_on_callback_thread = false;
}

CallbackThread::CallbackThread() : thread_([this] { run(); }), id_(thread_.get_id()) {}

CallbackThread::~CallbackThread() { stop(); }

bool CallbackThread::on_this_thread() noexcept { return t_on_callback_thread; }

void CallbackThread::post(std::function<void()> fn) {
    {
        MutexLock lock(mutex_);
        if (stopping_) {
            return;
        }
        queue_.push_back(std::move(fn));
    }
    wake_.notify_one();
}

void CallbackThread::stop() {
    {
        MutexLock lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void CallbackThread::run() {
    t_on_callback_thread = true;
    // Named, so that a debugger, `top -H` and the tests (the callback rule) can tell it apart.
    pthread_setname_np(pthread_self(), "tjc-callbacks");
    MutexLock lock(mutex_);
    for (;;) {
        while (!stopping_ && queue_.empty()) {
            lock.wait(wake_);
        }
        if (queue_.empty()) {
            return;  // stopping, and everything queued has run
        }
        auto fn = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        fn();
        lock.lock();
    }
}

}  // namespace tjc
