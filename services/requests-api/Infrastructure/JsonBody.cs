using System.Buffers;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// Reads a JSON request body with the contract's refusals: a missing or non-JSON content type is 415,
/// more than 1 MiB is 413, an empty body or malformed JSON (including duplicate members and nesting
/// deeper than 32) is 400. Done by hand rather than by model binding so each refusal names its cause.
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 1024 * 1024;
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    public sealed record Read(JsonDocument? Document, IResult? Refusal);

    public static async Task<Read> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (!IsJson(request.ContentType))
            return Refused(415, ErrorCodes.ValidationUnsupportedMediaType, $"The body must be sent as 'Content-Type: application/json'{(request.ContentType is null ? "" : $", not '{request.ContentType}'")}.", "Content-Type");
        if (request.ContentLength > MaxBytes)
            return TooLarge();

        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > MaxBytes) return TooLarge();
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) break;
                length += read;
                if (length > MaxBytes) return TooLarge();
            }
            if (length == 0)
                return new(null, Problem.Of(400, ErrorCodes.ValidationMissingParameter, "The request body is missing; send a JSON object.", new { field = "body" }));
            try
            {
                // JsonDocument keeps the memory it parses: give it its own copy, not the pooled buffer.
                return new(JsonDocument.Parse(buffer.AsSpan(0, length).ToArray(), Options), null);
            }
            catch (JsonException e)
            {
                return Refused(400, ErrorCodes.ValidationInvalidParameter, $"The body is not valid JSON: {e.Message}", "body");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)) return false;
        var isJson = media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        var charsetOk = !media.Charset.HasValue || media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase);
        return isJson && charsetOk;
    }

    private static Read TooLarge() => Refused(413, ErrorCodes.ValidationPayloadTooLarge, $"The body must be at most {MaxBytes} bytes.", "body");

    private static Read Refused(int status, string code, string detail, string field) =>
        new(null, Problem.Of(status, code, detail, new { field }));
}
