using System.Text.Json;
using System.Text.RegularExpressions;

namespace ProductionTests.RequestsApi.ReferenceData;

/// <summary>
/// The file that <c>load-reference-data</c> reads (see deploy/demo-data.json). Keys appear only as
/// SHA-256 hashes: the clear text of a key is never stored anywhere.
/// </summary>
public sealed partial record ReferenceDataFile(IReadOnlyList<ReferenceDataFile.ProviderEntry> Providers, IReadOnlyList<ReferenceDataFile.WorkspaceEntry> Workspaces)
{
    public sealed record ProviderEntry(string Id, string Name, int Type, IReadOnlyList<string> Environments);
    public sealed record WorkspaceEntry(string Id, string Name, IReadOnlyList<KeyEntry> ApiKeys, IReadOnlyList<AppEntry> Apps);
    public sealed record KeyEntry(string Sha256, string Label);
    public sealed record AppEntry(string ClientId, string Name, IReadOnlyList<string> Providers);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true };

    public static ReferenceDataFile Parse(string json) =>
        JsonSerializer.Deserialize<ReferenceDataFile>(json, Json) ?? throw new InvalidDataException("The reference data file is empty.");

    /// <summary>Every reason the file cannot be loaded; empty when it can.</summary>
    /// <param name="registeredElsewhere">Provider ids already stored, which the file's apps may use too.</param>
    public IReadOnlyList<string> Problems(IEnumerable<string>? registeredElsewhere = null)
    {
        var problems = new List<string>();
        var providerIds = Providers.Select(p => p.Id).Concat(registeredElsewhere ?? []).ToHashSet(StringComparer.Ordinal);
        foreach (var p in Providers)
        {
            if (p.Environments.Any(e => e is not ("sandbox" or "production")))
                problems.Add($"provider {p.Id}: environments must be 'sandbox' or 'production'");
        }
        problems.AddRange(Duplicates(Providers.Select(p => p.Id)).Select(id => $"provider {id} is listed twice"));
        problems.AddRange(Duplicates(Workspaces.Select(w => w.Id)).Select(id => $"workspace {id} is listed twice"));
        problems.AddRange(Duplicates(Workspaces.SelectMany(w => w.Apps).Select(a => a.ClientId)).Select(id => $"app {id} is listed twice"));
        problems.AddRange(Duplicates(Workspaces.SelectMany(w => w.ApiKeys).Select(k => k.Sha256.ToLowerInvariant())).Select(h => $"key {h} is listed twice"));
        foreach (var w in Workspaces)
        {
            foreach (var k in w.ApiKeys.Where(k => !Sha256Hex().IsMatch(k.Sha256)))
                problems.Add($"workspace {w.Id}: key '{k.Label}' is not a SHA-256 hex digest");
            foreach (var a in w.Apps)
            foreach (var missing in a.Providers.Where(id => !providerIds.Contains(id)))
                problems.Add($"app {a.ClientId}: provider {missing} is not registered");
        }
        return problems;
    }

    private static IEnumerable<string> Duplicates(IEnumerable<string> ids) =>
        ids.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
