// The template parser and the rendering rules, driven without a server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "core/error.hpp"
#include "core/message_template.hpp"
#include "support/nlohmann_node.hpp"
#include "core/template_render.hpp"

using eventlog::Error;
using eventlog::ErrorCode;
using eventlog::MessageTemplate;
using nlohmann::json;

namespace {

std::string render(const std::string& tmpl, const json& values) {
    return eventlog::render_template(MessageTemplate::parse(tmpl), eventlog::NlohmannNode(values));
}

// The error's message when rendering fails with InvalidParameterValue.
std::string render_error(const std::string& tmpl, const json& values) {
    try {
        render(tmpl, values);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameterValue);
        return e.what();
    }
    ADD_FAILURE() << "no error for template " << tmpl;
    return {};
}

}  // namespace

TEST(Parse, LiteralsAndPlaceholders) {
    MessageTemplate t = MessageTemplate::parse("Item {item__name} by {actor}.");
    ASSERT_EQ(t.segments().size(), 5u);
    EXPECT_FALSE(t.segments()[0].is_placeholder);
    EXPECT_EQ(t.segments()[0].literal, "Item ");
    EXPECT_TRUE(t.segments()[1].is_placeholder);
    EXPECT_EQ(t.segments()[1].placeholder.key, "item__name");
    EXPECT_EQ(t.segments()[1].placeholder.path, std::vector<std::string>{"name"});
    EXPECT_EQ(t.segments()[3].placeholder.key, "actor");
    EXPECT_TRUE(t.segments()[3].placeholder.path.empty());
    EXPECT_EQ(t.segments()[4].literal, ".");
}

TEST(Parse, AttributePathSplitsOnDoubleUnderscore) {
    EXPECT_EQ(eventlog::make_placeholder("user__profile__city").path, (std::vector<std::string>{"profile", "city"}));
    EXPECT_EQ(eventlog::make_placeholder("a___b").path, (std::vector<std::string>{"_b"}));
    EXPECT_EQ(eventlog::make_placeholder("single_underscore").path.size(), 0u);
}

TEST(Parse, DoubledBracesAreLiteral) {
    EXPECT_EQ(render("{{x}} and }}{{", json::object()), "{x} and }{");
    EXPECT_EQ(render("{{{a}}}", json{{"a", 1}}), "{1}");
}

TEST(Parse, EmptyTemplate) {
    EXPECT_TRUE(MessageTemplate::parse("").segments().empty());
    EXPECT_EQ(render("", json::object()), "");
}

TEST(Parse, Errors) {
    EXPECT_NE(render_error("{a", json::object()).find("\"{a\" is not closed"), std::string::npos);
    EXPECT_NE(render_error("x {a {b}", json::object()).find("\"{a \" is not closed"), std::string::npos);
    EXPECT_NE(render_error("a}", json::object()).find("\"}\" at offset 1"), std::string::npos);
    EXPECT_NE(render_error("{}", json::object()).find("empty placeholder"), std::string::npos);
    EXPECT_NE(render_error("{", json::object()).find("not closed"), std::string::npos);
}

TEST(Render, ObjectValueFollowsPath) {
    json values = {{"item__name", {{"id", 1}, {"name", "Cert A"}}}};
    EXPECT_EQ(render("Item {item__name} was updated.", values), "Item Cert A was updated.");
    json nested = {{"user__profile__city", {{"profile", {{"city", "Oslo"}}}}}};
    EXPECT_EQ(render("{user__profile__city}", nested), "Oslo");
}

TEST(Render, ScalarValueRendersItself) {
    json values = {{"item__name", "Cert A"}, {"n__x", 42}, {"b", true}, {"z", nullptr}, {"f", 1.5}};
    EXPECT_EQ(render("{item__name}|{n__x}|{b}|{z}|{f}", values), "Cert A|42|true||1.5");
}

TEST(Render, WholeValuesAsJson) {
    json values = {{"obj", {{"a", 1}}}, {"arr", {1, "x"}}, {"p__arr", {{"arr", {1, 2}}}}};
    EXPECT_EQ(render("{obj} {arr} {p__arr}", values), "{\"a\":1} [1,\"x\"] [1,2]");
}

TEST(Render, MissingKeysAndAttributes) {
    json values = {{"item__name", {{"id", 1}}}, {"list__x", {1, 2}}, {"deep__a__b", {{"a", 5}}}};
    EXPECT_NE(render_error("{nope}", values).find("key \"nope\" is missing"), std::string::npos);
    EXPECT_NE(render_error("{item__name}", values).find("attribute \"name\" is missing"), std::string::npos);
    EXPECT_NE(render_error("{list__x}", values).find("non-object"), std::string::npos);
    EXPECT_NE(render_error("{deep__a__b}", values).find("non-object"), std::string::npos);
    EXPECT_NE(render_error("{nope}", values).find("{nope}"), std::string::npos);
}

TEST(Render, Unicode) {
    json values = {{"ключ", "значение"}};
    EXPECT_EQ(render("«{ключ}»", values), "«значение»");
}

// Random templates never crash: each either renders or raises
// InvalidParameterValue, and a template of only literal characters renders
// to itself with braces undoubled.
TEST(Render, RandomTemplatesRenderOrRaiseTheDocumentedError) {
    std::mt19937 rng(12345);
    const std::string alphabet = "{}_ab";
    json values = {{"a", 1}, {"b", {{"a", "x"}}}, {"a__b", {{"b", 2}}}, {"b__a", {{"a", nullptr}}}};
    int rendered = 0, refused = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string tmpl;
        int len = static_cast<int>(rng() % 12);
        for (int j = 0; j < len; ++j) tmpl.push_back(alphabet[rng() % alphabet.size()]);
        try {
            render(tmpl, values);
            ++rendered;
        } catch (const Error& e) {
            ASSERT_EQ(e.code(), ErrorCode::InvalidParameterValue) << tmpl;
            ++refused;
        }
    }
    EXPECT_GT(rendered, 1000);
    EXPECT_GT(refused, 1000);
}
