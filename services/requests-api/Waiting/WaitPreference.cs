
namespace ProductionTests.RequestsApi.Waiting;

/// <summary>
/// <c>Prefer: wait=N</c> (RFC 7240 §4.3): how long the caller is willing to wait for an outcome.
/// At most <see cref="MaxSeconds"/>; a malformed preference is ignored, as the RFC asks.
/// </summary>
public static class WaitPreference
{
    public const int MaxSeconds = 30;

    /// <summary>The seconds to wait (capped), or null when the caller did not ask to wait.</summary>
    public static int? Parse(IEnumerable<string?> preferHeaders)
    {
        foreach (var header in preferHeaders)
        foreach (var preference in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var token = preference.Split(';', 2)[0].Trim();
            var parts = token.Split('=', 2, StringSplitOptions.TrimEntries);
            if (!parts[0].Equals("wait", StringComparison.OrdinalIgnoreCase) || parts.Length != 2) continue;
            var value = parts[1].Trim('"');
            if (value.Length is > 0 and <= 9 && value.All(char.IsAsciiDigit))
            {
                var seconds = int.Parse(value);
                return seconds > 0 ? Math.Min(seconds, MaxSeconds) : null;
            }
        }
        return null;
    }
}
