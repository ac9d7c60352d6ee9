using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Create.Idempotency;

/// <summary>The <c>Idempotency-Key</c> header and the fingerprint that tells an identical retry from a different request.</summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotency-Replayed";
    public const int MaxLength = 255;
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>The key, null when the header is absent, or the refusal when it is malformed.</summary>
    public static (string? Key, ValidationError? Error) Read(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue(Header, out var values)) return (null, null);
        if (values.Count != 1)
            return (null, Invalid("Send one Idempotency-Key header, not several."));
        var key = values[0] ?? "";
        if (key.Length is 0 or > MaxLength || !key.All(c => c is >= ' ' and <= '~'))
            return (null, Invalid($"The Idempotency-Key must be 1 to {MaxLength} printable ASCII characters."));
        return (key, null);
    }

    private static ValidationError Invalid(string message) => new(Header, ErrorCodes.ValidationInvalidParameter, message);

    /// <summary>
    /// SHA-256 of the app and the body in a canonical form: object members sorted by name, no
    /// whitespace, strings and numbers exactly as sent. Member order and formatting do not count;
    /// anything else does.
    /// </summary>
    public static string Fingerprint(string clientId, JsonElement body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(clientId);
            WriteCanonical(writer, body);
            writer.WriteEndArray();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in element.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(member.Name);
                    WriteCanonical(writer, member.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) WriteCanonical(writer, item);
                writer.WriteEndArray();
                break;
            default:
                // Strings re-encoded (so "\u0041" and "A" agree); numbers, booleans and null as written.
                if (element.ValueKind == JsonValueKind.String) writer.WriteStringValue(element.GetString());
                else writer.WriteRawValue(element.GetRawText());
                break;
        }
    }

    /// <summary>A 64-bit PostgreSQL advisory lock id for one workspace's key.</summary>
    public static long LockId(string recordId) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(recordId)), 0);
}
