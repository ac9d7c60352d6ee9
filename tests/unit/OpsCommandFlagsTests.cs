using System.Reflection;
using JasperFx.CommandLine;

namespace ProductionTests.UnitTests;

/// <summary>
/// Every ops command's options, as JasperFx derives them (a long name from FlagAlias or the property name,
/// and a one-letter alias given or taken from the long name's first letter unless long-only): no two of a
/// command may answer to the same letter or name, or `-t` would silently mean one of them.
/// </summary>
public sealed class OpsCommandFlagsTests
{
    private static readonly Type[] Inputs = typeof(ProductionTests.RequestsApi.Operations.RepublishCommand).Assembly.GetTypes()
        .Where(t => typeof(NetCoreInput).IsAssignableFrom(t) && !t.IsAbstract).ToArray();

    public static TheoryData<string> InputNames => new(Inputs.Select(t => t.Name));

    [Fact]
    public void Every_ops_command_is_checked() =>
        Assert.True(Inputs.Length >= 5, $"found only {string.Join(", ", Inputs.Select(t => t.Name))}");

    [Theory]
    [MemberData(nameof(InputNames))]
    public void No_two_options_of_a_command_share_a_letter_or_a_name(string inputName)
    {
        var flags = Inputs.Single(t => t.Name == inputName).GetProperties()
            .Where(p => p.Name.EndsWith("Flag", StringComparison.Ordinal))
            .Select(Describe).ToList();

        var clashes = flags.SelectMany(f => f.Names.Select(n => (Name: n, f.Property, f.Framework)))
            .GroupBy(n => n.Name)
            .Where(g => g.Count() > 1)
            // JasperFx's own NetCoreInput gives -v to both --env-variable and --verbose; that pair is the framework's, not ours.
            .Where(g => !g.All(n => n.Framework))
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(n => n.Property))}").ToList();
        Assert.Empty(clashes);
    }

    private static (string Property, bool Framework, string[] Names) Describe(PropertyInfo property)
    {
        var alias = property.GetCustomAttribute<FlagAliasAttribute>();
        var longName = alias?.LongAlias ?? property.Name[..^"Flag".Length].ToLowerInvariant();
        char? letter = alias switch
        {
            { OneLetterAlias: { } given } => given,
            { LongAliasOnly: true } => null,
            _ => longName[0],
        };
        var names = letter is { } l ? new[] { $"--{longName}", $"-{l}" } : [$"--{longName}"];
        return (property.Name, property.DeclaringType == typeof(NetCoreInput), names);
    }
}
