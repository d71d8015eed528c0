// Runs coroutines concurrently on the current executor and resumes when all have finished.
// For a single-threaded executor (the instance's io thread): no locking. Each task ends by
// its own deadline, so the group needs no cancellation of its own.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <vector>

namespace tjc::plan {

using Task = std::function<boost::asio::awaitable<void>()>;

inline boost::asio::awaitable<void> when_all(std::vector<Task> tasks) {
    if (tasks.empty()) {
        co_return;
    }
    auto ex = co_await boost::asio::this_coro::executor;
    struct State {
        explicit State(boost::asio::any_io_executor ex)
            : done(std::move(ex), boost::asio::steady_timer::time_point::max()) {}
        std::size_t remaining = 0;
        boost::asio::steady_timer done;
    };
    auto state = std::make_shared<State>(ex);
    state->remaining = tasks.size();
    for (auto& task : tasks) {
        boost::asio::co_spawn(ex, std::move(task), [state](const std::exception_ptr&) {
            if (--state->remaining == 0) {
                state->done.cancel();
            }
        });
    }
    boost::system::error_code ec;
    while (state->remaining > 0) {
        co_await state->done.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
}

}  // namespace tjc::plan
