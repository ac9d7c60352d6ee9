using System.Text.Json;

namespace ProductionTests.DashboardTests.Infrastructure;

/// <summary>One span as the dashboard holds it (its telemetry API answers OTLP JSON).</summary>
public sealed record Span(
    string Service, string Scope, string Name, string Kind, string TraceId, string SpanId, string? ParentSpanId,
    IReadOnlyDictionary<string, string> Attributes, int Links, bool IsError, string? StatusMessage)
{
    public string? Attribute(string key) => Attributes.GetValueOrDefault(key);
    public override string ToString() => $"{Service}/{Scope}: {Kind} '{Name}'";
}

/// <summary>Reads a trace back from the dashboard: <c>GET /api/telemetry/traces/{traceId}</c>.</summary>
public sealed class DashboardTraces(HttpClient http, Uri dashboard)
{
    public async Task<IReadOnlyList<Span>> TraceAsync(string traceId)
    {
        using var response = await http.GetAsync(new Uri(dashboard, $"api/telemetry/traces/{traceId}"));
        if (!response.IsSuccessStatusCode) return [];
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return Parse(document.RootElement);
    }

    public static IReadOnlyList<Span> Parse(JsonElement root)
    {
        var spans = new List<Span>();
        var resourceSpans = root.TryGetProperty("data", out var data) ? data.GetProperty("resourceSpans") : root.GetProperty("resourceSpans");
        foreach (var resource in resourceSpans.EnumerateArray())
        {
            var service = Attributes(resource.GetProperty("resource")).GetValueOrDefault("service.name") ?? "?";
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                var scopeName = scope.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    var status = span.TryGetProperty("status", out var st) ? st : default;
                    spans.Add(new Span(service, scopeName, span.GetProperty("name").GetString() ?? "", Kind(span),
                        span.GetProperty("traceId").GetString() ?? "", span.GetProperty("spanId").GetString() ?? "",
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
                        Attributes(span),
                        span.TryGetProperty("links", out var links) ? links.GetArrayLength() : 0,
                        status.ValueKind == JsonValueKind.Object && status.TryGetProperty("code", out var code) && IsErrorCode(code),
                        status.ValueKind == JsonValueKind.Object && status.TryGetProperty("message", out var message) ? message.GetString() : null));
                }
            }
        }
        return spans;
    }

    private static bool IsErrorCode(JsonElement code) =>
        code.ValueKind == JsonValueKind.Number ? code.GetInt32() == 2 : code.GetString() is "STATUS_CODE_ERROR" or "2";

    private static string Kind(JsonElement span)
    {
        if (!span.TryGetProperty("kind", out var kind)) return "unspecified";
        var value = kind.ValueKind == JsonValueKind.Number ? kind.GetInt32().ToString() : kind.GetString() ?? "";
        return value switch
        {
            "1" or "SPAN_KIND_INTERNAL" => "internal",
            "2" or "SPAN_KIND_SERVER" => "server",
            "3" or "SPAN_KIND_CLIENT" => "client",
            "4" or "SPAN_KIND_PRODUCER" => "producer",
            "5" or "SPAN_KIND_CONSUMER" => "consumer",
            _ => "unspecified",
        };
    }

    private static Dictionary<string, string> Attributes(JsonElement owner)
    {
        var result = new Dictionary<string, string>();
        if (!owner.TryGetProperty("attributes", out var attributes)) return result;
        foreach (var attribute in attributes.EnumerateArray())
        {
            var value = attribute.GetProperty("value");
            var text = value.EnumerateObject().FirstOrDefault() is { Value: var v } ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : null;
            result[attribute.GetProperty("key").GetString()!] = text ?? "";
        }
        return result;
    }
}
