using System.Globalization;

namespace ProductionTests.Tools;

/// <summary>A command line the tool does not understand: the usage is printed, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Command-line values, checked.</summary>
public static class OptionValues
{
    public static double Positive(string option, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0 && double.IsFinite(number)
            ? number
            : throw new UsageException($"{option} takes a positive number, not '{value}'.");

    public static long Count(string option, string value, bool allowZero = false) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && (number > 0 || (allowZero && number == 0))
            ? number
            : throw new UsageException($"{option} takes a whole number{(allowZero ? "" : " above 0")}, not '{value}'.");

    public static TimeSpan Seconds(string option, string value, bool allowZero = false) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && (number > 0 || (allowZero && number == 0))
            ? TimeSpan.FromSeconds(number)
            : throw new UsageException($"{option} takes a number of seconds, not '{value}'.");

    public static int Port(string option, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new UsageException($"{option} takes a port number, not '{value}'.");
}
