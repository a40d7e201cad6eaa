// nlohmann::json as a template-rendering Node (see src/core/template_render.hpp),
// for the unit tests and fuzzers that drive the renderer without a server.
// The extension renders from jsonb (src/pg/jsonb_node.hpp): nlohmann stores
// numbers as double, so JSON from the database never goes through it.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/template_render.hpp"

namespace eventlog {

class NlohmannNode {
public:
    explicit NlohmannNode(const nlohmann::json& value) : value_(&value) {}

    JsonKind kind() const {
        switch (value_->type()) {
            case nlohmann::json::value_t::object: return JsonKind::Object;
            case nlohmann::json::value_t::array: return JsonKind::Array;
            case nlohmann::json::value_t::string: return JsonKind::String;
            case nlohmann::json::value_t::boolean: return JsonKind::Bool;
            case nlohmann::json::value_t::null: return JsonKind::Null;
            default: return JsonKind::Number;
        }
    }

    std::optional<NlohmannNode> member(const std::string& key) const {
        if (!value_->is_object()) return std::nullopt;
        auto it = value_->find(key);
        if (it == value_->end()) return std::nullopt;
        return NlohmannNode(*it);
    }

    std::string scalar_text() const { return value_->is_string() ? value_->get<std::string>() : value_->dump(); }

    std::string json_text() const { return value_->dump(); }

private:
    const nlohmann::json* value_;
};

}  // namespace eventlog
