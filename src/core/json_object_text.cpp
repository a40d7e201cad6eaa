#include "core/json_object_text.hpp"

#include <nlohmann/json.hpp>

namespace eventlog {

namespace {

/// jsonb refuses the escape \u0000 (text cannot hold NUL); so does this. An
/// escaped backslash (\\) is skipped whole, so \\u0000 is not one.
bool has_nul_escape(std::string_view text) {
    for (std::size_t i = text.find('\\'); i != std::string_view::npos; i = text.find('\\', i + 2)) {
        if (i + 5 < text.size() && text[i + 1] == 'u' && text.substr(i + 2, 4) == "0000") return true;
    }
    return false;
}

}  // namespace

bool is_json_object_text(std::string_view text) noexcept {
    std::size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || text[start] != '{') return false;
    try {
        return nlohmann::json::accept(text.begin(), text.end()) && !has_nul_escape(text);
    } catch (...) {  // accept() reports through its result; only memory could fail
        return false;
    }
}

}  // namespace eventlog
