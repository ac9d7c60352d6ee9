using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// Makes the generated schemas say what the API really sends and accepts: timestamps are strings, a
/// member left out when null is optional and never null, and every problem has the contract's shape.
/// </summary>
public static class OpenApiSchemas
{
    public static Task Transform(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        // UtcTimestampConverter writes every timestamp as an ISO 8601 UTC string; the generator cannot see through a converter.
        if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
        {
            var nullable = type == typeof(DateTimeOffset?) && context.JsonPropertyInfo is { } member && !IsOmittedWhenNull(member);
            schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            schema.Format = "date-time";
        }
        if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object) MakeOmittedMembersOptional(schema, context.JsonTypeInfo);
        if (type == typeof(ProblemDetails) || type == typeof(HttpValidationProblemDetails)) DescribeProblem(schema);
        return Task.CompletedTask;
    }

    /// <summary>A member written only when it has a value is not required, and never null when present.</summary>
    private static void MakeOmittedMembersOptional(OpenApiSchema schema, JsonTypeInfo typeInfo)
    {
        foreach (var property in typeInfo.Properties.Where(IsOmittedWhenNull))
        {
            schema.Required?.Remove(property.Name);
            if (schema.Properties is { } members && members.TryGetValue(property.Name, out var member) && member is OpenApiSchema { Type: { } type } inline)
                inline.Type = type & ~JsonSchemaType.Null;
        }
    }

    private static bool IsOmittedWhenNull(JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true)
            .OfType<JsonIgnoreAttribute>().Any(a => a.Condition == JsonIgnoreCondition.WhenWritingNull) == true;

    /// <summary>
    /// A nullable object member is generated as oneOf [null, $ref] after the schema transformers ran; where
    /// the member is optional (left out when null), keep the reference alone. Runs on the whole document.
    /// </summary>
    public static Task RemoveNullFromOptionalReferences(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        foreach (var schema in document.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
        {
            foreach (var (name, member) in schema.Properties?.ToList() ?? [])
            {
                if (schema.Required?.Contains(name) == true || member is not OpenApiSchema { OneOf: { Count: 2 } oneOf }) continue;
                if (oneOf.SingleOrDefault(s => s is not OpenApiSchema { Type: JsonSchemaType.Null }) is { } only && oneOf.Any(s => s is OpenApiSchema { Type: JsonSchemaType.Null }))
                    schema.Properties![name] = only;
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The contract's problem (RFC 9457): title is one of the documented codes.</summary>
    private static void DescribeProblem(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.Object;
        schema.Description = "An error (RFC 9457). 'title' is the error code; 'context' names the field, the providers or the dependency where that helps.";
        schema.Required = new HashSet<string> { "type", "title", "status", "detail", "instance", "timestamp", "traceId" };
        schema.Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "urn:production-tests:error:<code>" },
            ["title"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The error code.",
                Enum = [.. ErrorCodes.All.Order(StringComparer.Ordinal).Select(c => (JsonNode)JsonValue.Create(c))],
            },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "400", Maximum = "599" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong and what to do, for a person." },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's path." },
            ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
            ["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9a-f]{32}$", Description = "The request's trace id (W3C), to find it in the traces." },
            ["context"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "Details: the refused field, every error, the providers and why each was refused." },
        };
    }
}
