// Tracking options: parsing the trigger argument and validating templates
// against a table's columns, without a server.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/tracking_options.hpp"

using eventlog::Error;
using eventlog::ErrorCode;
using eventlog::TrackedAction;
using eventlog::TrackedKey;
using eventlog::TrackingOptions;

namespace {

const std::vector<std::string> kColumns = {"id", "name", "status", "data"};

// The message of the InvalidParameterValue error `fn` throws.
template <class Fn>
std::string error_of(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidParameterValue);
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return {};
}

std::string validation_error(const std::string& json) {
    return error_of([&] { eventlog::validate_tracking(TrackingOptions::from_json(json), kColumns); });
}

}  // namespace

TEST(TrackingOptions, ParsesAllFields) {
    auto o = TrackingOptions::from_json(
        R"({"tool":"certs","exclude_columns":["status"],"messages":{"update":"{old__name} -> {new__name}","delete":null}})");
    EXPECT_EQ(o.tool, "certs");
    EXPECT_EQ(o.exclude_columns, std::vector<std::string>{"status"});
    EXPECT_EQ(o.message_for(TrackedAction::Update), "{old__name} -> {new__name}");
    EXPECT_EQ(o.message_for(TrackedAction::Delete), eventlog::default_message(TrackedAction::Delete));
    EXPECT_NO_THROW(eventlog::validate_tracking(o, kColumns));
}

TEST(TrackingOptions, DefaultsAreValidForEveryAction) {
    auto o = TrackingOptions::from_json(R"({"tool":"t"})");
    EXPECT_NO_THROW(eventlog::validate_tracking(o, {"id"}));
    EXPECT_EQ(eventlog::action_name(TrackedAction::Truncate), std::string("truncate"));
}

TEST(TrackingOptions, MalformedJson) {
    EXPECT_NE(error_of([] { TrackingOptions::from_json("[1]"); }).find("JSON object"), std::string::npos);
    EXPECT_NE(error_of([] { TrackingOptions::from_json("{"); }).find("JSON object"), std::string::npos);
    EXPECT_NE(error_of([] { TrackingOptions::from_json("{}"); }).find("tool"), std::string::npos);
    EXPECT_NE(
        error_of([] { TrackingOptions::from_json(R"({"tool":"t","exclude_columns":"x"})"); }).find("exclude_columns"),
        std::string::npos);
    EXPECT_NE(error_of([] {
                  TrackingOptions::from_json(R"({"tool":"t","messages":{"upsert":"x"}})");
              }).find("unknown action \"upsert\""),
              std::string::npos);
    EXPECT_NE(error_of([] {
                  TrackingOptions::from_json(R"({"tool":"t","messages":{"create":5}})");
              }).find("must be a string"),
              std::string::npos);
}

TEST(TrackingOptions, RefusesUnknownColumnsAndPlaceholders) {
    EXPECT_NE(validation_error(R"({"tool":"t","exclude_columns":["nope"]})").find("unknown column \"nope\""),
              std::string::npos);
    EXPECT_NE(validation_error(R"({"tool":"t","messages":{"update":"{new__nope}"}})").find("unknown column"),
              std::string::npos);
    EXPECT_NE(
        validation_error(R"({"tool":"t","messages":{"update":"{whatever}"}})").find("unknown placeholder {whatever}"),
        std::string::npos);
    EXPECT_NE(validation_error(R"({"tool":"t","messages":{"update":"{old__name"}})").find("update message"),
              std::string::npos);
}

TEST(TrackingOptions, RefusesRowsAnActionDoesNotHave) {
    EXPECT_NE(validation_error(R"({"tool":"t","messages":{"create":"{old__name}"}})").find("no old row"),
              std::string::npos);
    EXPECT_NE(validation_error(R"({"tool":"t","messages":{"delete":"{new__name}"}})").find("no new row"),
              std::string::npos);
    EXPECT_NE(validation_error(R"({"tool":"t","messages":{"truncate":"{object_id}"}})").find("whole table"),
              std::string::npos);
    EXPECT_NO_THROW(eventlog::validate_tracking(
        TrackingOptions::from_json(R"({"tool":"t","messages":{"delete":"{old__data__x} {object_id}"}})"), kColumns));
}

TEST(TrackedKey, Classifies) {
    EXPECT_EQ(eventlog::tracked_key("actor"), TrackedKey::Actor);
    EXPECT_EQ(eventlog::tracked_key("object_id"), TrackedKey::ObjectId);
    EXPECT_EQ(eventlog::tracked_key("old__name"), TrackedKey::OldRow);
    EXPECT_EQ(eventlog::tracked_key("new__a__b"), TrackedKey::NewRow);
    EXPECT_FALSE(eventlog::tracked_key("old"));
    EXPECT_FALSE(eventlog::tracked_key("item__name"));
}
