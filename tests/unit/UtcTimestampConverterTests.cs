using System.Text.Json;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.UnitTests;

public class UtcTimestampConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new UtcTimestampConverter() } };

    private sealed record Stamped(DateTimeOffset At);

    [Theory]
    [InlineData("2026-11-26T09:04:48.1230000+02:00", "\"2026-11-26T07:04:48.123Z\"")]
    [InlineData("2026-11-26T07:04:48.1230000+00:00", "\"2026-11-26T07:04:48.123Z\"")]
    [InlineData("2026-11-26T02:04:48.1230000-05:00", "\"2026-11-26T07:04:48.123Z\"")]
    [InlineData("2026-01-01T01:30:00.0000000+02:00", "\"2025-12-31T23:30:00.000Z\"")]
    [InlineData("2026-03-05T04:06:07.0090000+00:00", "\"2026-03-05T04:06:07.009Z\"")]
    [InlineData("2026-11-26T07:04:48.1239999+00:00", "\"2026-11-26T07:04:48.123Z\"")]
    public void Writes_utc_with_milliseconds_and_z(string input, string expected) =>
        Assert.Equal(expected, JsonSerializer.Serialize(DateTimeOffset.Parse(input, System.Globalization.CultureInfo.InvariantCulture), Options));

    [Fact]
    public void Writes_a_property_in_utc()
    {
        var value = new DateTimeOffset(2026, 11, 26, 9, 4, 48, 123, TimeSpan.FromHours(2));
        Assert.Equal("""{"At":"2026-11-26T07:04:48.123Z"}""", JsonSerializer.Serialize(new Stamped(value), Options));
    }

    [Theory]
    [InlineData("\"2026-11-26T07:04:48.123Z\"")]
    [InlineData("\"2026-11-26T09:04:48.123+02:00\"")]
    public void Reads_iso_8601_timestamps(string json)
    {
        var value = JsonSerializer.Deserialize<DateTimeOffset>(json, Options);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 4, 48, 123, TimeSpan.Zero), value);
    }

    [Fact]
    public void Round_trips_through_write_and_read()
    {
        var value = new DateTimeOffset(2026, 6, 15, 23, 59, 59, 999, TimeSpan.FromHours(-7));
        var back = JsonSerializer.Deserialize<DateTimeOffset>(JsonSerializer.Serialize(value, Options), Options);

        Assert.Equal(value, back);
        Assert.Equal(TimeSpan.Zero, back.Offset);
    }
}
