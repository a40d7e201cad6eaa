// jsonb as a template-rendering Node (see core/template_render.hpp). Values
// stay in jsonb form: numbers are printed by numeric_out, never converted.
#pragma once

#include <optional>
#include <string>

#include "core/template_render.hpp"
#include "pg/boundary.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

class JsonbNode {
public:
    /// A node over a whole jsonb document.
    explicit JsonbNode(Jsonb* document);
    /// A node over one value found inside a document.
    explicit JsonbNode(const JsonbValue& value) : value_(value) {}

    JsonKind kind() const;
    std::optional<JsonbNode> member(const std::string& key) const;
    std::string scalar_text() const;
    std::string json_text() const;

private:
    JsonbValue value_;
};

}  // namespace eventlog::pg
