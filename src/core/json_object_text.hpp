// Whether a setting's text is a JSON object, decided without a server (a
// setting's check must not raise an error, and PostgreSQL 15 has no
// error-free JSON input function). Pure C++.
#pragma once

#include <string_view>

namespace eventlog {

/// True when `text` is one JSON object (whitespace around it allowed) that
/// jsonb accepts too: \u0000, which jsonb refuses, is refused here.
bool is_json_object_text(std::string_view text) noexcept;

}  // namespace eventlog
