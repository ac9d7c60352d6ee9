using ProductionTests.RequestsApi.Authentication;
using Marten;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.RequestsApi.ReferenceData;

namespace ProductionTests.IntegrationTests;

[Collection(ApiCollection.Name)]
public sealed class ReferenceDataTests(ApiFixture api)
{
    [Fact]
    public async Task The_load_command_loads_a_file_and_repeating_it_changes_nothing()
    {
        var file = Path.Combine(Path.GetTempPath(), $"reference-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {
              "providers": [ { "id": "cmdprov", "name": "Command Provider", "type": 1, "environments": ["sandbox"] } ],
              "workspaces": [ {
                "id": "ws_command", "name": "Command",
                "apiKeys": [ { "sha256": "0000000000000000000000000000000000000000000000000000000000000001", "label": "k" } ],
                "apps": [ { "clientId": "CmdApp01", "name": "Command App", "providers": ["cmdprov", "bankidse"] } ]
              } ]
            }
            """);
        try
        {
            var first = await RunCommand("load-reference-data", file);
            var afterFirst = await Snapshot();
            var second = await RunCommand("load-reference-data", file);

            Assert.True(first.ExitCode == 0, first.Output);
            Assert.True(second.ExitCode == 0, second.Output);
            Assert.Contains("1 providers, 1 workspaces, 1 API keys, 1 apps", second.Output);
            Assert.Equal(afterFirst, await Snapshot());
            await using var session = api.Store.QuerySession();
            var app = await session.LoadAsync<App>("CmdApp01");
            Assert.Equal(new[] { "cmdprov", "bankidse" }, app!.ProviderIds);
            Assert.Equal("ws_command", app.WorkspaceId);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_command_refuses_an_invalid_file_and_writes_nothing()
    {
        var file = Path.Combine(Path.GetTempPath(), $"reference-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            { "providers": [], "workspaces": [ { "id": "ws_bad", "name": "Bad",
                "apiKeys": [ { "sha256": "not-a-hash", "label": "k" } ],
                "apps": [ { "clientId": "BadApp01", "name": "Bad", "providers": ["nosuch"] } ] } ] }
            """);
        try
        {
            var result = await RunCommand("load-reference-data", file);

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("not a SHA-256 hex digest", result.Output);
            Assert.Contains("provider nosuch is not registered", result.Output);
            await using var session = api.Store.QuerySession();
            Assert.Null(await session.LoadAsync<Workspace>("ws_bad"));
            Assert.Null(await session.LoadAsync<App>("BadApp01"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Loading_an_updated_file_updates_the_app()
    {
        var loader = new ReferenceDataLoader(api.Store);
        ReferenceDataFile File(params string[] providers) => new([], [new("ws_update", "Update", [], [new("UpdApp01", "Before", providers)])]);

        await loader.LoadAsync(File("bankidse"), CancellationToken.None);
        await loader.LoadAsync(File("bankidse", "smartid"), CancellationToken.None);

        await using var session = api.Store.QuerySession();
        Assert.Equal(["bankidse", "smartid"], (await session.LoadAsync<App>("UpdApp01"))!.ProviderIds);
    }

    private async Task<string> Snapshot()
    {
        await using var session = api.Store.QuerySession();
        var workspaces = await session.Query<Workspace>().OrderBy(w => w.Id).ToListAsync();
        var apps = await session.Query<App>().OrderBy(a => a.Id).ToListAsync();
        var keys = await session.Query<ApiKey>().OrderBy(k => k.Id).ToListAsync();
        var providers = await session.Query<Provider>().OrderBy(p => p.Id).ToListAsync();
        return System.Text.Json.JsonSerializer.Serialize(new { workspaces, apps, keys, providers });
    }

    private Task<(int ExitCode, string Output)> RunCommand(params string[] args) =>
        OpsCommand.RunAsync(api.ConnectionString, api.Platform.Broker.ConnectionString, args);
}

/// <summary>
/// The API keeps keys, apps and providers in memory (ReferenceDataCache); a load empties the cache of
/// every running instance at once (NOTIFY), here one whose cache would otherwise keep entries an hour.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ReferenceDataCacheTests(ApiFixture api)
{
    private const string Key = "sk_workspace_test_cacheTests0000000001";

    [Fact]
    public async Task A_load_reaches_a_running_api_at_once_despite_its_cache()
    {
        await using var configured = new ConfiguredApi(api.Platform, new() { ["ReferenceData:CacheSeconds"] = "3600" });
        var client = configured.ClientWithKey(Key);
        var loader = new ReferenceDataLoader(api.Store);
        ReferenceDataFile File(params string[] providers) =>
            new([], [new("ws_cache", "Cache", [new(WorkspaceKeys.Hash(Key), "cache tests")], [new("CacheApp", "Cache App", providers)])]);

        await loader.LoadAsync(File("bankidse"), CancellationToken.None);
        Assert.Equal(["bankidse"], await ProvidersOfANewRequest(client));

        await loader.LoadAsync(File("smartid"), CancellationToken.None);
        // The notification arrives asynchronously, within milliseconds; the deadline is far below the hour.
        await Eventually.HoldsAsync(async () => (await ProvidersOfANewRequest(client)).SequenceEqual(["smartid"]),
            TimeSpan.FromSeconds(10), "the running API to see the app's new providers");
    }

    private static async Task<string[]> ProvidersOfANewRequest(HttpClient client)
    {
        var body = await (await client.CreateProductionTest("CacheApp", new { title = "Cache" })).ShouldBeJson(System.Net.HttpStatusCode.Created);
        return body.GetProperty("payload").GetProperty("providerIds").EnumerateArray().Select(p => p.GetString()!).ToArray();
    }
}
