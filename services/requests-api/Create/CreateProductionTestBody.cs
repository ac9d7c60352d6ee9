using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace ProductionTests.RequestsApi.Create;

/// <summary>
/// The body of a create. Only these members are accepted; null counts as omitted.
/// </summary>
/// <remarks>
/// The one shape of the body: CreateProductionTestValidation reads exactly these members, and the
/// OpenAPI schema is made from this record and the validation's rules (DescribeSchema).
/// </remarks>
/// <param name="Title">1 to 200 characters (Unicode code points), at least one of them visible, no control characters.</param>
/// <param name="Description">At most 1000 characters; line breaks and tabs allowed, no other control characters.</param>
/// <param name="ProviderIds">Distinct provider ids (1 to 100), each eligible for the app; omit for every eligible provider.</param>
/// <param name="TargetPlatform"><c>ios</c> or <c>android</c>; omit for both.</param>
/// <param name="MaxStamps">How many stamps may be claimed, first come first served: a whole number of at least 1 (3.0 counts as 3); default 3.</param>
/// <param name="AllowDuplicateParticipation">Whether one user may take part twice with the same provider; default false.</param>
public sealed record CreateProductionTestBody(
    string Title,
    string? Description,
    IReadOnlyList<string>? ProviderIds,
    string? TargetPlatform,
    int? MaxStamps,
    bool? AllowDuplicateParticipation)
{
    /// <summary>The JSON member names, as the web serializer names the record's properties.</summary>
    public static readonly IReadOnlySet<string> Members = typeof(CreateProductionTestBody).GetProperties()
        .Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Adds the validation's rules to the schema generated from the record.</summary>
    public static void DescribeSchema(OpenApiSchema schema)
    {
        schema.Required = new HashSet<string> { "title" };
        schema.AdditionalPropertiesAllowed = false;
        var properties = schema.Properties ?? throw new InvalidOperationException("The create body's schema has no properties.");
        Set(properties, "title", s =>
        {
            s.Type = JsonSchemaType.String;
            s.MinLength = 1;
            s.MaxLength = CreateProductionTestValidation.TitleMaxLength;
            s.Pattern = TextRules.TitlePattern;
            s.Examples = [JsonValue.Create("Launch check")];
        });
        Set(properties, "description", s =>
        {
            s.Type = JsonSchemaType.String | JsonSchemaType.Null;
            s.MaxLength = CreateProductionTestValidation.DescriptionMaxLength;
            s.Pattern = TextRules.DescriptionPattern;
            s.Examples = [JsonValue.Create("Verify with your own eID before the release.")];
        });
        Set(properties, "providerIds", s =>
        {
            s.Type = JsonSchemaType.Array | JsonSchemaType.Null;
            s.MinItems = 1;
            s.MaxItems = CreateProductionTestValidation.MaxProviderIds;
            s.UniqueItems = true;
            s.Items = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = CreateProductionTestValidation.ProviderIdMaxLength,
                Pattern = TextRules.NoControlCharactersPattern,
            };
            s.Examples = [new JsonArray("bankidse", "smartid")];
        });
        Set(properties, "targetPlatform", s =>
        {
            s.Type = JsonSchemaType.String | JsonSchemaType.Null;
            s.Enum = [.. CreateProductionTestValidation.Platforms.Select(p => (JsonNode)JsonValue.Create(p)), null!];
            s.Examples = [JsonValue.Create("ios")];
        });
        Set(properties, "maxStamps", s =>
        {
            s.Type = JsonSchemaType.Integer | JsonSchemaType.Null;
            s.Format = null;
            s.Pattern = null;
            s.Minimum = "1";
            s.Maximum = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
            s.Default = JsonValue.Create(CreateProductionTestValidation.DefaultMaxStamps);
            s.Examples = [JsonValue.Create(5)];
        });
        Set(properties, "allowDuplicateParticipation", s =>
        {
            s.Type = JsonSchemaType.Boolean | JsonSchemaType.Null;
            s.Default = JsonValue.Create(false);
        });
    }

    private static void Set(IDictionary<string, IOpenApiSchema> properties, string name, Action<OpenApiSchema> describe)
    {
        if (properties.TryGetValue(name, out var property) && property is OpenApiSchema schema) describe(schema);
        else throw new InvalidOperationException($"The create body's schema has no inline property '{name}'.");
    }
}
