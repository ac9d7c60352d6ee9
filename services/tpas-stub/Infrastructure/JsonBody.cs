using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProductionTests.TpasStub.Infrastructure;

/// <summary>
/// Reads a JSON body by hand so that malformed JSON is answered with the stub's own problem code
/// rather than the framework's bare 400. Stricter than the web defaults (numbers sent as strings are
/// refused) so that the stub catches a client sending the wrong types.
/// </summary>
public static class JsonBody
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };

    public sealed record Read<T>(T? Value, IResult? Refusal) where T : class;

    public static async Task<Read<T>> ReadAsync<T>(HttpContext http, string problemCode) where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(http.Request.Body, Options, http.RequestAborted);
            return value is null
                ? new(null, Problem.Of(400, problemCode, "The body must be a JSON object."))
                : new(value, null);
        }
        catch (JsonException e)
        {
            return new(null, Problem.Of(400, problemCode, $"The body is not valid JSON for this request: {e.Message}"));
        }
    }
}
