#pragma once
// Locking rules written in code, checked by clang's -Wthread-safety (a clang build in .ci/run):
// a field declared TJC_GUARDED_BY(mutex_) may be read or written only with mutex_ held, a
// function declared TJC_REQUIRES(mutex_) only by a caller that holds it. With GCC the
// annotations are empty and Mutex/MutexLock are plain std::mutex/std::unique_lock.
//
// Waiting on a condition variable: write the wait as a loop in the function that holds the lock
// (`while (!ready_) lock.wait(cv_);`), not as a predicate lambda: the analysis checks a lambda's
// body as a function of its own, which holds nothing.

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define TJC_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TJC_THREAD_ANNOTATION(x)
#endif

#define TJC_CAPABILITY(name) TJC_THREAD_ANNOTATION(capability(name))
#define TJC_SCOPED_CAPABILITY TJC_THREAD_ANNOTATION(scoped_lockable)
#define TJC_GUARDED_BY(m) TJC_THREAD_ANNOTATION(guarded_by(m))
#define TJC_PT_GUARDED_BY(m) TJC_THREAD_ANNOTATION(pt_guarded_by(m))
#define TJC_REQUIRES(...) TJC_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define TJC_EXCLUDES(...) TJC_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define TJC_ACQUIRE(...) TJC_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define TJC_RELEASE(...) TJC_THREAD_ANNOTATION(release_capability(__VA_ARGS__))

namespace tjc {

// A std::mutex the analysis knows as a capability.
class TJC_CAPABILITY("mutex") Mutex {
public:
    void lock() TJC_ACQUIRE() { mutex_.lock(); }
    void unlock() TJC_RELEASE() { mutex_.unlock(); }

private:
    friend class MutexLock;
    std::mutex mutex_;
};

// Holds a Mutex for its scope; may be released and taken again inside it, and waited on.
class TJC_SCOPED_CAPABILITY MutexLock {
public:
    explicit MutexLock(Mutex& mutex) TJC_ACQUIRE(mutex) : lock_(mutex.mutex_) {}
    ~MutexLock() TJC_RELEASE() {}
    MutexLock(const MutexLock&) = delete;
    MutexLock& operator=(const MutexLock&) = delete;

    void unlock() TJC_RELEASE() { lock_.unlock(); }
    void lock() TJC_ACQUIRE() { lock_.lock(); }

    // Releases the mutex while blocked; holds it again on return (also on a spurious wake-up).
    void wait(std::condition_variable& cv) { cv.wait(lock_); }
    template <class Clock, class Duration>
    std::cv_status wait_until(std::condition_variable& cv, const std::chrono::time_point<Clock, Duration>& t) {
        return cv.wait_until(lock_, t);
    }
    template <class Rep, class Period>
    std::cv_status wait_for(std::condition_variable& cv, const std::chrono::duration<Rep, Period>& d) {
        return cv.wait_for(lock_, d);
    }

private:
    std::unique_lock<std::mutex> lock_;
};

}  // namespace tjc
