using Marten;
using Npgsql;

namespace ProductionTests.RequestsApi.ReferenceData;

/// <summary>
/// Upserts the file's workspaces, keys, apps and providers in one transaction. Loading the same file
/// twice changes nothing; nothing absent from the file is deleted (removing data is a deliberate,
/// separate act).
/// </summary>
public sealed class ReferenceDataLoader(IDocumentStore store)
{
    public sealed record Summary(int Providers, int Workspaces, int ApiKeys, int Apps);

    public async Task<Summary> LoadAsync(ReferenceDataFile file, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stored = await session.Query<Provider>().Select(p => p.Id).ToListAsync(ct);
        var problems = file.Problems(stored);
        if (problems.Count > 0)
            throw new InvalidDataException("The reference data file is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));

        session.Store(file.Providers.Select(p => new Provider(p.Id, p.Name, p.Type, p.Environments)).ToArray());
        session.Store(file.Workspaces.Select(w => new Workspace(w.Id, w.Name)).ToArray());
        session.Store(file.Workspaces.SelectMany(w => w.ApiKeys.Select(k => new ApiKey(k.Sha256.ToLowerInvariant(), w.Id, k.Label))).ToArray());
        session.Store(file.Workspaces.SelectMany(w => w.Apps.Select(a => new App(a.ClientId, w.Id, a.Name, a.Providers))).ToArray());
        await session.SaveChangesAsync(ct);
        await NotifyChangedAsync(ct);

        return new Summary(file.Providers.Count, file.Workspaces.Count,
            file.Workspaces.Sum(w => w.ApiKeys.Count), file.Workspaces.Sum(w => w.Apps.Count));
    }

    /// <summary>Every running API instance empties its <see cref="ReferenceDataCache"/>.</summary>
    private async Task NotifyChangedAsync(CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var notify = new NpgsqlCommand($"NOTIFY {ReferenceDataCache.Channel}", connection);
        await notify.ExecuteNonQueryAsync(ct);
    }
}
