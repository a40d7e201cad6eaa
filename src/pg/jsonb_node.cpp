#include "pg/jsonb_node.hpp"

namespace eventlog::pg {

JsonbNode::JsonbNode(Jsonb* document) {
    if (JB_ROOT_IS_SCALAR(document)) {
        // A raw scalar is stored as a one-element array; unwrap it.
        pg_call([&] { return JsonbExtractScalar(&document->root, &value_); });
    } else {
        value_.type = jbvBinary;
        value_.val.binary.data = &document->root;
        value_.val.binary.len = VARSIZE(document) - VARHDRSZ;
    }
}

JsonKind JsonbNode::kind() const {
    switch (value_.type) {
        case jbvNull: return JsonKind::Null;
        case jbvString: return JsonKind::String;
        case jbvNumeric: return JsonKind::Number;
        case jbvBool: return JsonKind::Bool;
        case jbvBinary: return JsonContainerIsObject(value_.val.binary.data) ? JsonKind::Object : JsonKind::Array;
        default: return JsonKind::Array;  // jbvArray/jbvObject never come from containers
    }
}

std::optional<JsonbNode> JsonbNode::member(const std::string& key) const {
    if (kind() != JsonKind::Object) return std::nullopt;
    JsonbValue found;
    JsonbContainer* container = value_.val.binary.data;
    bool present = pg_call([&] {
        return getKeyJsonValueFromContainer(container, key.data(), static_cast<uint32>(key.size()), &found) != nullptr;
    });
    if (!present) return std::nullopt;
    return JsonbNode(found);
}

std::string JsonbNode::scalar_text() const {
    switch (value_.type) {
        case jbvString: return std::string(value_.val.string.val, value_.val.string.len);
        case jbvBool: return value_.val.boolean ? "true" : "false";
        case jbvNull: return "null";
        case jbvNumeric: {
            Numeric number = value_.val.numeric;
            char* text =
                pg_call([&] { return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(number))); });
            std::string out(text);
            pg_call([&] { pfree(text); });
            return out;
        }
        default: return json_text();
    }
}

std::string JsonbNode::json_text() const {
    if (value_.type != jbvBinary) return scalar_text();
    JsonbContainer* container = value_.val.binary.data;
    int length = value_.val.binary.len;
    char* text = pg_call([&] { return JsonbToCString(nullptr, container, length); });
    std::string out(text);
    pg_call([&] { pfree(text); });
    return out;
}

}  // namespace eventlog::pg
