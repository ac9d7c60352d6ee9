using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Reading;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// The list versions are read for many callers at once (ListVersionReader); each caller must still see every change
/// committed before it asked, or a 304 (and a kept answer) would be stale.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ListVersionReaderTests(ApiFixture api)
{
    [Fact]
    public async Task A_read_asked_for_after_a_commit_sees_it_while_other_reads_are_under_way()
    {
        var reader = api.Sandbox.Services.GetRequiredService<ListVersionReader>();
        var app = $"versions-{Guid.NewGuid():N}"[..24];
        using var stop = new CancellationTokenSource();
        // Readers that keep a shared read under way all the time, so the checked reads arrive while one is in flight.
        var busy = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested) { await reader.ReadAsync(app, CancellationToken.None); reads++; }
            return reads;
        })).ToArray();

        await using var connection = new NpgsqlConnection(api.Platform.ConnectionString);
        await connection.OpenAsync();
        var stale = 0;
        for (var i = 0; i < 200; i++)
        {
            await AppListVersions.BumpAsync(connection, [app], CancellationToken.None);
            var committed = await CurrentAsync(connection, app);
            if (await reader.ReadAsync(app, CancellationToken.None) < committed) stale++;
        }
        await stop.CancelAsync();
        var busyReads = (await Task.WhenAll(busy)).Sum();

        Assert.Equal(0, stale);
        Assert.True(busyReads > 200, $"only {busyReads} concurrent reads: the checked reads did not meet reads under way");
    }

    [Fact]
    public async Task An_app_never_written_is_version_0_and_apps_asked_together_get_their_own()
    {
        var reader = api.Sandbox.Services.GetRequiredService<ListVersionReader>();
        var (written, never) = ($"versions-{Guid.NewGuid():N}"[..24], $"versions-{Guid.NewGuid():N}"[..24]);
        await using var connection = new NpgsqlConnection(api.Platform.ConnectionString);
        await connection.OpenAsync();
        await AppListVersions.BumpAsync(connection, [written], CancellationToken.None);
        var expected = await CurrentAsync(connection, written);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => reader.ReadAsync(i % 2 == 0 ? written : never, CancellationToken.None)));

        Assert.All(answers.Where((_, i) => i % 2 == 0), v => Assert.Equal(expected, v));
        Assert.All(answers.Where((_, i) => i % 2 == 1), v => Assert.Equal(0, v));
    }

    private static async Task<long> CurrentAsync(NpgsqlConnection connection, string app)
    {
        await using var read = new NpgsqlCommand(AppListVersions.ReadSql, connection) { Parameters = { new NpgsqlParameter<string> { TypedValue = app } } };
        return (long)(await read.ExecuteScalarAsync())!;
    }
}
