// A value or a one-line error message: the shape of every fallible internal call.
// (std::expected is C++23; this is the small subset we use.)
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tjc {

struct Error {
    std::string message;
};

template <typename T>
class Expected {
public:
    Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
    Expected(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] T& value() & { return std::get<0>(v_); }
    [[nodiscard]] const T& value() const& { return std::get<0>(v_); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(v_)); }
    [[nodiscard]] const std::string& error() const { return std::get<1>(v_).message; }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, Error> v_;
};

}  // namespace tjc
