// Errors raised by pure C++ code. The entry guard (src/pg/boundary.hpp) maps
// each code to a SQLSTATE; this header must stay free of PostgreSQL headers.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace eventlog {

/// What kind of failure an Error reports; the guard maps it to a SQLSTATE.
enum class ErrorCode {
    InvalidParameterValue,         ///< 22023: bad input from the caller
    ObjectNotInPrerequisiteState,  ///< 55000: e.g. a table without a primary key
    Internal,                      ///< XX000: a bug of ours
};

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message, std::string hint = {})
        : std::runtime_error(message), code_(code), hint_(std::move(hint)) {}

    ErrorCode code() const noexcept { return code_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    ErrorCode code_;
    std::string hint_;
};

/// Shorthand for the most common failure: the caller passed a bad value.
inline Error invalid_parameter(const std::string& message, std::string hint = {}) {
    return Error(ErrorCode::InvalidParameterValue, message, std::move(hint));
}

}  // namespace eventlog
