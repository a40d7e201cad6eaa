// erase_json: values under erased keys become "[erased]", at any depth, and
// nothing else of the text changes.
#include "core/json_erase.hpp"

#include <gtest/gtest.h>

using eventlog::erase_json;
using eventlog::json_string_literal;
using eventlog::JsonErasure;

namespace {

JsonErasure keys(std::vector<std::string> k, bool key_paths = false) {
    JsonErasure e;
    e.keys = std::move(k);
    e.key_paths = key_paths;
    return e;
}

std::string erased(const std::string& json, const JsonErasure& e) {
    std::optional<std::string> out = erase_json(json, e);
    return out ? *out : "(unchanged)";
}

}  // namespace

TEST(JsonErase, TopLevelAndNested) {
    JsonErasure e = keys({"email"});
    EXPECT_EQ(erased(R"({"email": "a@b.c", "name": "Ann"})", e), R"({"email": "[erased]", "name": "Ann"})");
    EXPECT_EQ(erased(R"({"new_value": {"email": "a@b.c"}, "old_value": {"email": null}})", e),
              R"({"new_value": {"email": "[erased]"}, "old_value": {"email": "[erased]"}})");
    EXPECT_EQ(erased(R"({"a": [{"email": 1}, {"b": {"email": [1, {"email": 2}]}}]})", e),
              R"({"a": [{"email": "[erased]"}, {"b": {"email": "[erased]"}}]})");
    EXPECT_EQ(erased(R"({"email": {"deep": {"x": [1, 2, {"y": "z"}]}}, "k": 1.50})", e),
              R"({"email": "[erased]", "k": 1.50})");
}

TEST(JsonErase, UnchangedWhenNothingToErase) {
    JsonErasure e = keys({"email"});
    EXPECT_EQ(erased(R"({"name": "email"})", e), "(unchanged)");  // a value, not a key
    EXPECT_EQ(erased(R"(["email"])", e), "(unchanged)");
    EXPECT_EQ(erased(R"({"email": "[erased]"})", e), "(unchanged)");  // erased already
    EXPECT_EQ(erased(R"({})", e), "(unchanged)");
}

TEST(JsonErase, KeysAreDecoded) {
    JsonErasure e = keys({"e\"mail", "é"});
    EXPECT_EQ(erased(R"({"e\"mail": 1, "\u00e9": 2, "\u00E9x": 3})", e),
              R"({"e\"mail": "[erased]", "\u00e9": "[erased]", "\u00E9x": 3})");
}

TEST(JsonErase, NotJson) {
    JsonErasure e = keys({"a"});
    for (const char* bad : {"", "{", R"({"a": })", R"({"a": 1,})", "[1,]", R"({"a" 1})", "{'a': 1}", "nul",
                            R"({"a": 01})", R"({"a": 1} x)", "\"a\tb\"", R"({"a": "\x"})", "-", "1.", "1e"}) {
        EXPECT_FALSE(erase_json(bad, e).has_value()) << bad;
    }
    // Scalars are JSON text, with nothing to erase in them.
    EXPECT_FALSE(erase_json("42", e).has_value());
    EXPECT_FALSE(erase_json("\"a\"", e).has_value());
}

TEST(JsonErase, WhitespaceAndNumbersKept) {
    JsonErasure e = keys({"x"});
    EXPECT_EQ(erased(" {\n\"x\" :\t[ 1 ,2 ] , \"n\": -0.5e+10, \"t\": true, \"f\": false, \"z\": null } ", e),
              " {\n\"x\" :\t\"[erased]\" , \"n\": -0.5e+10, \"t\": true, \"f\": false, \"z\": null } ");
}

TEST(JsonErase, KeyPathsOfValuesJson) {
    JsonErasure e = keys({"name"}, true);
    // A scalar under "prefix__name" is the rendered attribute "name".
    EXPECT_EQ(erased(R"({"item__name": "Cert A", "item__id": 1, "user__profile__name": "Ann"})", e),
              R"({"item__name": "[erased]", "item__id": 1, "user__profile__name": "[erased]"})");
    // An object under it is looked into instead.
    EXPECT_EQ(erased(R"({"item__name": {"id": 1, "name": "Cert A"}})", e),
              R"({"item__name": {"id": 1, "name": "[erased]"}})");
    // Only at the top level.
    EXPECT_EQ(erased(R"({"a": {"item__name": "x"}})", e), "(unchanged)");
    // Without the rule, the key is just a key.
    EXPECT_EQ(erased(R"({"item__name": "Cert A"})", keys({"name"})), "(unchanged)");
}

TEST(JsonErase, ValuesReplaced) {
    JsonErasure e;
    e.values = {"John Doe", "42"};
    e.replacement = "erased-actor-1f";
    EXPECT_EQ(erased(R"({"actor": "John Doe", "by": ["John Doe", 42, "42"], "John Doe": "x"})", e),
              R"({"actor": "erased-actor-1f", "by": ["erased-actor-1f", 42, "erased-actor-1f"], "John Doe": "x"})");
    EXPECT_EQ(erased(R"("John Doe")", e), R"("erased-actor-1f")");
}

TEST(JsonErase, DeepNestingNeedsNoRecursion) {
    JsonErasure e = keys({"k"});
    std::string deep(200000, '[');
    deep += "{\"k\": 1}";
    deep += std::string(200000, ']');
    std::optional<std::string> out = erase_json(deep, e);
    ASSERT_TRUE(out.has_value());
    EXPECT_NE(out->find("{\"k\": \"[erased]\"}"), std::string::npos);
}

TEST(JsonErase, StringLiterals) {
    EXPECT_EQ(json_string_literal("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
    EXPECT_EQ(json_string_literal("é"), "\"é\"");
}
