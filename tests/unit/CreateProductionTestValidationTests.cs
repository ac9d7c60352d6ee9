using System.Text.Json;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Create;

namespace ProductionTests.UnitTests;

public class CreateProductionTestValidationTests
{
    private const string Missing = ErrorCodes.ValidationMissingParameter;
    private const string Invalid = ErrorCodes.ValidationInvalidParameter;

    private static CreateProductionTestValidation.Result Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return CreateProductionTestValidation.Validate(document.RootElement);
    }

    /// <summary>A body with a valid title plus the given member (raw JSON value).</summary>
    private static CreateProductionTestValidation.Result ValidateWith(string member, string rawValue) =>
        Validate($$"""{ "title": "A title", "{{member}}": {{rawValue}} }""");

    private static CreateProductionTest AssertValid(CreateProductionTestValidation.Result result)
    {
        Assert.Empty(result.Errors);
        Assert.NotNull(result.Command);
        return result.Command;
    }

    private static void AssertSingleError(CreateProductionTestValidation.Result result, string field, string code)
    {
        Assert.Null(result.Command);
        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(code, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    private static string Json(string text) => JsonSerializer.Serialize(text);

    // ---- whole body ----

    [Fact]
    public void Minimal_body_gets_defaults()
    {
        var command = AssertValid(Validate("""{ "title": "Launch test" }"""));

        Assert.Equal("Launch test", command.Title);
        Assert.Null(command.Description);
        Assert.Null(command.ProviderIds);
        Assert.Null(command.TargetPlatform);
        Assert.Equal(3, command.MaxStamps);
        Assert.False(command.AllowDuplicateParticipation);
    }

    [Fact]
    public void Optional_members_that_are_null_get_defaults()
    {
        var command = AssertValid(Validate("""
            {
              "title": "Launch test",
              "description": null,
              "providerIds": null,
              "targetPlatform": null,
              "maxStamps": null,
              "allowDuplicateParticipation": null
            }
            """));

        Assert.Null(command.Description);
        Assert.Null(command.ProviderIds);
        Assert.Null(command.TargetPlatform);
        Assert.Equal(CreateProductionTestValidation.DefaultMaxStamps, command.MaxStamps);
        Assert.False(command.AllowDuplicateParticipation);
    }

    [Fact]
    public void Full_body_maps_every_field()
    {
        var command = AssertValid(Validate("""
            {
              "title": "Launch test",
              "description": "Try it out",
              "providerIds": ["smartid", "bankidse"],
              "targetPlatform": "android",
              "maxStamps": 7,
              "allowDuplicateParticipation": true
            }
            """));

        Assert.Equal("Launch test", command.Title);
        Assert.Equal("Try it out", command.Description);
        Assert.Equal(["smartid", "bankidse"], command.ProviderIds);
        Assert.Equal("android", command.TargetPlatform);
        Assert.Equal(7, command.MaxStamps);
        Assert.True(command.AllowDuplicateParticipation);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""[{ "title": "x" }]""")]
    [InlineData("\"title\"")]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("null")]
    public void Body_that_is_not_an_object_is_invalid_on_body(string json) =>
        AssertSingleError(Validate(json), "body", Invalid);

    [Theory]
    [InlineData("maxStamp")]
    [InlineData("Title")]
    [InlineData("providers")]
    public void Unknown_member_is_invalid_on_that_member(string member) =>
        AssertSingleError(ValidateWith(member, "5"), member, Invalid);

    [Fact]
    public void Several_errors_are_all_reported_with_missing_parameter_first()
    {
        var result = Validate("""
            {
              "maxStamp": 5,
              "targetPlatform": "web",
              "maxStamps": 0,
              "allowDuplicateParticipation": "yes"
            }
            """);

        Assert.Null(result.Command);
        Assert.Equal(
            [
                ("title", Missing),
                ("maxStamp", Invalid),
                ("targetPlatform", Invalid),
                ("maxStamps", Invalid),
                ("allowDuplicateParticipation", Invalid),
            ],
            result.Errors.Select(e => (e.Field, e.Code)));
    }

    [Fact]
    public void Errors_in_every_field_are_reported()
    {
        var result = Validate("""
            {
              "title": "",
              "description": 5,
              "providerIds": [],
              "targetPlatform": "IOS",
              "maxStamps": -1,
              "allowDuplicateParticipation": 1
            }
            """);

        Assert.Null(result.Command);
        Assert.Equal(
            ["title", "description", "providerIds", "targetPlatform", "maxStamps", "allowDuplicateParticipation"],
            result.Errors.Select(e => e.Field));
        Assert.All(result.Errors, e => Assert.Equal(Invalid, e.Code));
    }

    // ---- title ----

    [Fact]
    public void Title_missing_is_a_missing_parameter() =>
        AssertSingleError(Validate("""{ "maxStamps": 2 }"""), "title", Missing);

    [Fact]
    public void Title_null_is_a_missing_parameter() =>
        AssertSingleError(Validate("""{ "title": null }"""), "title", Missing);

    [Fact]
    public void Empty_object_is_missing_title() =>
        AssertSingleError(Validate("{}"), "title", Missing);

    [Theory]
    [InlineData("12")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("""["a"]""")]
    [InlineData("""{ "text": "a" }""")]
    public void Title_of_wrong_type_is_invalid(string rawTitle) =>
        AssertSingleError(Validate($$"""{ "title": {{rawTitle}} }"""), "title", Invalid);

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("     ")]
    [InlineData("\t")]
    [InlineData("a\nb")]
    [InlineData("tab\there")]
    [InlineData("bell\u0007")]
    [InlineData("del\u007f")]
    public void Title_empty_blank_or_with_control_characters_is_invalid(string title) =>
        AssertSingleError(Validate($$"""{ "title": {{Json(title)}} }"""), "title", Invalid);

    [Fact]
    public void Title_of_201_characters_is_invalid() =>
        AssertSingleError(Validate($$"""{ "title": "{{new string('a', 201)}}" }"""), "title", Invalid);

    [Fact]
    public void Title_of_200_characters_is_valid()
    {
        var title = new string('a', 200);
        Assert.Equal(title, AssertValid(Validate($$"""{ "title": "{{title}}" }""")).Title);
    }

    [Fact]
    public void Title_of_200_emoji_is_valid_because_code_points_not_utf16_units_are_counted()
    {
        var title = string.Concat(Enumerable.Repeat("\U0001F600", 200));
        Assert.Equal(400, title.Length);

        Assert.Equal(title, AssertValid(Validate($$"""{ "title": {{Json(title)}} }""")).Title);
    }

    [Fact]
    public void Title_length_counts_code_points_as_json_schema_does_so_a_letter_plus_accent_is_two()
    {
        var title = string.Concat(Enumerable.Repeat("e\u0301", 100));

        Assert.Equal(title, AssertValid(Validate($$"""{ "title": {{Json(title)}} }""")).Title);
        AssertSingleError(Validate($$"""{ "title": {{Json(title + "e")}} }"""), "title", Invalid);
    }

    [Theory]
    [InlineData("\u200B")]
    [InlineData("\u200B\u200C\u200D\u2060\uFEFF")]
    [InlineData(" \u00A0\u3000\u2800 ")]
    [InlineData("\u3164\u115F")]
    [InlineData("\u00AD\uFE0F")]
    public void Title_of_only_invisible_characters_is_as_empty_as_one_of_spaces(string title) =>
        AssertSingleError(Validate($$"""{ "title": {{Json(title)}} }"""), "title", Invalid);

    [Theory]
    [InlineData("\u200Ba")]
    [InlineData("\u00A0.")]
    [InlineData("\U0001F600")]
    public void Title_with_one_visible_character_among_invisible_ones_is_valid(string title) =>
        Assert.Equal(title, AssertValid(Validate($$"""{ "title": {{Json(title)}} }""")).Title);

    [Fact]
    public void Title_of_201_emoji_is_invalid()
    {
        var title = string.Concat(Enumerable.Repeat("\U0001F600", 201));
        AssertSingleError(Validate($$"""{ "title": {{Json(title)}} }"""), "title", Invalid);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("  padded  ")]
    [InlineData("Ünïcødé — 日本語")]
    public void Ordinary_titles_are_kept_as_given(string title) =>
        Assert.Equal(title, AssertValid(Validate($$"""{ "title": {{Json(title)}} }""")).Title);

    [Fact]
    public void Title_with_a_lone_surrogate_is_invalid() =>
        AssertSingleError(Validate("""{ "title": "bad \ud800 text" }"""), "title", Invalid);

    // ---- description ----

    [Fact]
    public void Description_of_1000_characters_is_valid()
    {
        var description = new string('d', 1000);
        Assert.Equal(description, AssertValid(ValidateWith("description", Json(description))).Description);
    }

    [Fact]
    public void Description_of_1001_characters_is_invalid() =>
        AssertSingleError(ValidateWith("description", Json(new string('d', 1001))), "description", Invalid);

    [Theory]
    [InlineData("line one\nline two")]
    [InlineData("line one\r\nline two")]
    [InlineData("col\tcol")]
    [InlineData("")]
    public void Description_with_line_breaks_and_tabs_is_valid(string description) =>
        Assert.Equal(description, AssertValid(ValidateWith("description", Json(description))).Description);

    [Fact]
    public void Description_with_another_control_character_is_invalid() =>
        AssertSingleError(ValidateWith("description", Json("bell\u0007")), "description", Invalid);

    [Theory]
    [InlineData("1")]
    [InlineData("false")]
    [InlineData("""["text"]""")]
    [InlineData("{}")]
    public void Description_of_wrong_type_is_invalid(string rawDescription) =>
        AssertSingleError(ValidateWith("description", rawDescription), "description", Invalid);

    // ---- providerIds ----

    [Theory]
    [InlineData("\"bankidse\"")]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("""{ "id": "bankidse" }""")]
    [InlineData("[]")]
    public void ProviderIds_not_a_non_empty_array_is_invalid(string rawProviderIds) =>
        AssertSingleError(ValidateWith("providerIds", rawProviderIds), "providerIds", Invalid);

    [Theory]
    [InlineData("""["bankidse", 5]""", "providerIds[1]")]
    [InlineData("""[null]""", "providerIds[0]")]
    [InlineData("""["bankidse", "smartid", ["x"]]""", "providerIds[2]")]
    [InlineData("""["bankidse", ""]""", "providerIds[1]")]
    [InlineData("""["bankidse", "bankidse"]""", "providerIds[1]")]
    [InlineData("""["bankidse", "smartid", "mitid", "smartid"]""", "providerIds[3]")]
    public void Bad_provider_id_item_is_invalid_on_its_index(string rawProviderIds, string field) =>
        AssertSingleError(ValidateWith("providerIds", rawProviderIds), field, Invalid);

    [Fact]
    public void ProviderIds_are_case_sensitive_so_differently_cased_ids_are_not_duplicates()
    {
        var command = AssertValid(ValidateWith("providerIds", """["bankidse", "BankIdSe"]"""));
        Assert.Equal(["bankidse", "BankIdSe"], command.ProviderIds);
    }

    [Fact]
    public void ProviderIds_with_100_items_is_valid()
    {
        var ids = Enumerable.Range(0, 100).Select(i => $"p{i}").ToList();
        var command = AssertValid(ValidateWith("providerIds", JsonSerializer.Serialize(ids)));
        Assert.Equal(ids, command.ProviderIds);
    }

    [Fact]
    public void ProviderIds_with_101_items_is_invalid()
    {
        var ids = Enumerable.Range(0, 101).Select(i => $"p{i}").ToList();
        AssertSingleError(ValidateWith("providerIds", JsonSerializer.Serialize(ids)), "providerIds", Invalid);
    }

    [Fact]
    public void Several_bad_provider_items_are_each_reported()
    {
        var result = ValidateWith("providerIds", """["a", 1, "", "a"]""");

        Assert.Null(result.Command);
        Assert.Equal(["providerIds[1]", "providerIds[2]", "providerIds[3]"], result.Errors.Select(e => e.Field));
        Assert.All(result.Errors, e => Assert.Equal(Invalid, e.Code));
    }

    // ---- targetPlatform ----

    [Theory]
    [InlineData("ios")]
    [InlineData("android")]
    public void TargetPlatform_ios_or_android_is_valid(string platform) =>
        Assert.Equal(platform, AssertValid(ValidateWith("targetPlatform", Json(platform))).TargetPlatform);

    [Theory]
    [InlineData("\"IOS\"")]
    [InlineData("\"Android\"")]
    [InlineData("\"web\"")]
    [InlineData("\"\"")]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("""["ios"]""")]
    public void Other_targetPlatform_is_invalid(string rawPlatform) =>
        AssertSingleError(ValidateWith("targetPlatform", rawPlatform), "targetPlatform", Invalid);

    // ---- maxStamps ----

    [Theory]
    [InlineData("1", 1)]
    [InlineData("3", 3)]
    [InlineData("250", 250)]
    [InlineData("2147483647", int.MaxValue)]
    [InlineData("3.0", 3)]
    [InlineData("3.000", 3)]
    [InlineData("1e2", 100)]
    [InlineData("2.5e1", 25)]
    [InlineData("30e-1", 3)]
    public void MaxStamps_whole_number_is_valid_however_written(string rawMaxStamps, int expected) =>
        Assert.Equal(expected, AssertValid(ValidateWith("maxStamps", rawMaxStamps)).MaxStamps);

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("-2147483648")]
    [InlineData("1.5")]
    [InlineData("0.0")]
    [InlineData("1e-1")]
    [InlineData("1e400")]
    [InlineData("2147483648")]
    [InlineData("2147483647.0000001")]
    [InlineData("99999999999999999999")]
    [InlineData("\"3\"")]
    [InlineData("true")]
    [InlineData("[3]")]
    public void MaxStamps_not_a_positive_int_is_invalid(string rawMaxStamps) =>
        AssertSingleError(ValidateWith("maxStamps", rawMaxStamps), "maxStamps", Invalid);

    // ---- allowDuplicateParticipation ----

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void AllowDuplicateParticipation_boolean_is_valid(string raw, bool expected) =>
        Assert.Equal(expected, AssertValid(ValidateWith("allowDuplicateParticipation", raw)).AllowDuplicateParticipation);

    [Theory]
    [InlineData("\"true\"")]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("{}")]
    public void AllowDuplicateParticipation_not_a_boolean_is_invalid(string raw) =>
        AssertSingleError(ValidateWith("allowDuplicateParticipation", raw), "allowDuplicateParticipation", Invalid);
}
