// is_json_object_text: what SET eventlog.context accepts.
#include "core/json_object_text.hpp"

#include <gtest/gtest.h>

using eventlog::is_json_object_text;

TEST(JsonObjectText, Objects) {
    EXPECT_TRUE(is_json_object_text("{}"));
    EXPECT_TRUE(is_json_object_text(R"({"request_id": "r-1", "path": "/api/x"})"));
    EXPECT_TRUE(is_json_object_text(" \n{\"a\": {\"b\": [1, 2.5e300, null, true]}}\t"));
    EXPECT_TRUE(is_json_object_text(R"({"a": "\u00e9\\u0000 is text"})"));
}

TEST(JsonObjectText, NotObjects) {
    EXPECT_FALSE(is_json_object_text(""));
    EXPECT_FALSE(is_json_object_text("   "));
    EXPECT_FALSE(is_json_object_text("[1]"));
    EXPECT_FALSE(is_json_object_text("\"text\""));
    EXPECT_FALSE(is_json_object_text("42"));
    EXPECT_FALSE(is_json_object_text("null"));
    EXPECT_FALSE(is_json_object_text("{"));
    EXPECT_FALSE(is_json_object_text("{} {}"));
    EXPECT_FALSE(is_json_object_text("{'a': 1}"));
    EXPECT_FALSE(is_json_object_text(R"({"a": 1,})"));
}

TEST(JsonObjectText, WhatJsonbRefuses) {
    EXPECT_FALSE(is_json_object_text(R"({"a": "\u0000"})"));
    EXPECT_FALSE(is_json_object_text(R"({"\u0000": 1})"));
}
