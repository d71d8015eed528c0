// The one result type of every fallible internal call, in the plugin and in the host: a value
// or an error. std::expected is C++23; this is the subset we use.
//
// E is the error of the layer: `Error` (a one-line message) by default; the net layer's
// NetError and the API client's ApiError add a kind and what a retry needs. An error type with
// a static no_result() makes the result default-constructible (co_spawn hands a
// default-constructed result to its handler when the call threw).
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace tjc {

struct Error {
    std::string message;
};

// The value of a call that succeeds with nothing to return.
struct Done {};

template <typename T, typename E = Error>
class Expected {
public:
    Expected() requires requires { E::no_result(); } : v_(std::in_place_index<1>, E::no_result()) {
    }
    Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
    Expected(E error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] T& value() & { return std::get<0>(v_); }
    [[nodiscard]] const T& value() const& { return std::get<0>(v_); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    // The error: its message for the default `Error` (what every caller of a plain Expected
    // wants), the whole error for a layer's own type.
    [[nodiscard]] decltype(auto) error() const {
        if constexpr (std::is_same_v<E, Error>) {
            return (std::get<1>(v_).message);
        } else {
            return (std::get<1>(v_));
        }
    }

private:
    std::variant<T, E> v_;
};

}  // namespace tjc
