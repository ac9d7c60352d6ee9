using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProductionTests.TpasStub.Infrastructure;

/// <summary>
/// Every timestamp is written ISO 8601 UTC with milliseconds: 2026-11-26T07:04:48.123Z. The stub plays another
/// team's backend and references none of our projects, so it writes tpas-backend's format with a converter of its own.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
