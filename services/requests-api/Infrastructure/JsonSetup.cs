using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>Every timestamp the API writes is ISO 8601 UTC with milliseconds: 2026-11-26T07:04:48.123Z.</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => WriteUtc(writer, value);

    /// <summary>The timestamp as this converter writes it, formatted without a string in between.</summary>
    public static void WriteUtc(Utf8JsonWriter writer, DateTimeOffset value)
    {
        Span<byte> utf8 = stackalloc byte[32];
        if (!value.UtcDateTime.TryFormat(utf8, out var length, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            throw new FormatException($"Cannot format {value:O}.");
        writer.WriteStringValue(utf8[..length]);
    }
}

public static class ApiJson
{
    /// <summary>The API's JSON settings over ASP.NET Core's web defaults (what every answer and webhook body is written with).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new UtcTimestampConverter());
        // Numbers are numbers: the web defaults also read them from strings, which the OpenAPI document would then allow.
        options.NumberHandling = JsonNumberHandling.Strict;
    }

    /// <summary>The web defaults with <see cref="Configure"/>: the options the API serializes with, for code and tests outside a request.</summary>
    public static JsonSerializerOptions Options()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }
}
