using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using ProductionTests.IntegrationTests.Infrastructure;

namespace ProductionTests.IntegrationTests.Contract;

/// <summary>
/// Checks one response against requests-api's own OpenAPI document (the status is documented for the
/// operation, the content type is, the body matches the schema, required headers are there) and, for the
/// three operations Hopae publishes, against <c>hopae-production-tests.schema.json</c>. Any response
/// under /connect that matches no operation must still be a valid problem.
/// </summary>
public sealed class ContractCheck(IServiceProvider services)
{
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
    private static readonly Lazy<JsonNode> Hopae = new(() => JsonNode.Parse(File.ReadAllText(RepositoryFiles.Path("tests/integration/Contract/hopae-production-tests.schema.json")))!);

    /// <summary>Hopae's definition for each operation of theirs and the status whose body it describes.</summary>
    private static readonly Dictionary<(string OperationId, int Status), string> HopaeResponses = new()
    {
        [("CreateProductionTest", 201)] = "createdResponse",
        [("ListProductionTests", 200)] = "listResponse",
        [("GetProductionTestReport", 200)] = "reportResponse",
    };

    private readonly Lazy<Task<JsonNode>> _document = new(async () =>
    {
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>("v1");
        var document = await provider.GetOpenApiDocumentAsync();
        return JsonNode.Parse(await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1))!;
    });

    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();

    public sealed record Response(string Method, string Path, int Status, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body);

    public async Task<IReadOnlyList<string>> CheckAsync(Response response)
    {
        var document = await _document.Value;
        var violations = new List<string>();
        var (template, operation) = FindOperation(document, response.Method, response.Path);
        if (operation is null)
        {
            if (response.Status >= 400) CheckProblem(document, response, violations);
            return violations;
        }

        var declared = operation["responses"]?[response.Status.ToString()];
        if (declared is null)
        {
            violations.Add($"status {response.Status} is not documented for {response.Method} {template}");
            if (response.Status >= 400) CheckProblem(document, response, violations);
            return violations;
        }
        declared = Resolve(document, declared);

        foreach (var (name, header) in declared["headers"]?.AsObject() ?? [])
        {
            var present = response.Headers.TryGetValue(name, out var value);
            if (header?["required"]?.GetValue<bool>() == true && !present) violations.Add($"required header {name} is missing");
            if (present && header?["schema"] is { } headerSchema)
                Validate(document, headerSchema, HeaderValue(headerSchema, value!), $"header {name}", violations);
        }

        var content = declared["content"]?.AsObject();
        if (response.Body.Length == 0)
        {
            if (content is { Count: > 0 }) violations.Add($"the body is empty, but {response.Status} documents {string.Join(", ", content.Select(c => c.Key))}");
        }
        else if (content is null || response.ContentType is null || content[MediaType(response.ContentType)] is not { } media)
        {
            violations.Add($"content type '{response.ContentType}' is not documented for {response.Status} ({string.Join(", ", content?.Select(c => c.Key) ?? [])})");
        }
        else if (media["schema"] is { } schema)
        {
            Validate(document, schema, Parse(response.Body, violations), "body", violations);
        }

        var operationId = operation["operationId"]?.GetValue<string>() ?? "";
        if (HopaeResponses.TryGetValue((operationId, response.Status), out var hopae))
        {
            ValidateHopae(hopae, Parse(response.Body, violations), violations);
            if (operationId == "CreateProductionTest" && !response.Headers.ContainsKey("Location"))
                violations.Add("Hopae's 201 has a Location header; this one has none");
        }
        return violations;
    }

    /// <summary>The JSON schema of an operation's request body, as the document states it.</summary>
    public async Task<JsonSchema> RequestBodySchemaAsync(string method, string template)
    {
        var document = await _document.Value;
        var schema = document["paths"]?[template]?[method]?["requestBody"]?["content"]?["application/json"]?["schema"]
            ?? throw new InvalidOperationException($"The document has no JSON body for {method} {template}.");
        return Compile(document, schema);
    }

    private void CheckProblem(JsonNode document, Response response, List<string> violations)
    {
        if (response.ContentType is null || MediaType(response.ContentType) != "application/problem+json")
        {
            violations.Add($"an error answer ({response.Status}) must be application/problem+json, not '{response.ContentType}'");
            return;
        }
        Validate(document, JsonNode.Parse("""{ "$ref": "#/components/schemas/ProblemDetails" }""")!, Parse(response.Body, violations), "problem", violations);
    }

    private void Validate(JsonNode document, JsonNode schema, JsonElement? instance, string what, List<string> violations)
    {
        if (instance is not { } value) return;
        Report(Compile(document, schema).Evaluate(value, Evaluation), $"OpenAPI {what}", violations);
    }

    private JsonSchema Compile(JsonNode document, JsonNode schema) =>
        _schemas.GetOrAdd(schema.ToJsonString(), text =>
        {
            // A schema of its own with the document's component schemas as $defs, so every $ref resolves.
            var wrapper = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$defs"] = document["components"]?["schemas"]?.DeepClone(),
                ["allOf"] = new JsonArray(JsonNode.Parse(text)),
            };
            return JsonSchema.FromText(wrapper.ToJsonString().Replace("#/components/schemas/", "#/$defs/"));
        });

    private void ValidateHopae(string definition, JsonElement? instance, List<string> violations)
    {
        if (instance is not { } value) return;
        var compiled = _schemas.GetOrAdd($"hopae:{definition}", _ =>
        {
            var schema = Hopae.Value.DeepClone().AsObject();
            schema["$ref"] = $"#/$defs/{definition}";
            return JsonSchema.FromText(schema.ToJsonString());
        });
        Report(compiled.Evaluate(value, Evaluation), "Hopae's schema", violations);
    }

    private static void Report(EvaluationResults results, string against, List<string> violations)
    {
        if (results.IsValid) return;
        var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}"))
            .Take(8).ToList();
        violations.Add($"not valid against {against}: {(errors.Count > 0 ? string.Join("; ", errors) : "no detail")}");
    }

    private static JsonElement? Parse(byte[] body, List<string> violations)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException e)
        {
            violations.Add($"the body is not JSON: {e.Message}");
            return null;
        }
    }

    /// <summary>A header is text; where its schema says integer, the text is read as a number.</summary>
    private static JsonElement HeaderValue(JsonNode schema, string value) =>
        schema["type"]?.ToString() is "integer" or "number" && long.TryParse(value, out var number)
            ? JsonSerializer.SerializeToElement(number)
            : JsonSerializer.SerializeToElement(value);

    private static (string? Template, JsonNode? Operation) FindOperation(JsonNode document, string method, string path)
    {
        foreach (var (template, item) in document["paths"]?.AsObject() ?? [])
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]+}", "[^/]+") + "$";
            if (!Regex.IsMatch(path, pattern)) continue;
            return (template, item?[method.ToLowerInvariant()]);
        }
        return (null, null);
    }

    private static JsonNode Resolve(JsonNode document, JsonNode node) =>
        node["$ref"]?.GetValue<string>() is { } reference
            ? document.AsObject()["components"]!["responses"]![reference.Split('/').Last()]!
            : node;

    private static string MediaType(string contentType) => contentType.Split(';')[0].Trim().ToLowerInvariant();
}

public sealed class ContractViolationException(string message) : Exception(message);
