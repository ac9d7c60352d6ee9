using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// The store's connections (Marten's queries and the async daemon) have PostgreSQL plan every execution;
/// the writers' pool keeps the default plan cache. See EventStoreSetup.WithDefaults for why.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PlanCacheTests(ApiFixture api)
{
    [Fact]
    public async Task The_daemon_plans_every_query_and_the_writers_keep_their_generic_plans()
    {
        var services = api.Sandbox.Services;
        await using var storeConnection = services.GetRequiredService<IDocumentStore>().Storage.Database.CreateConnection();
        await using var writerConnection = services.GetRequiredService<WriterConnections>().Create();

        Assert.Equal("force_custom_plan", await PlanCacheModeAsync(storeConnection));
        Assert.Equal("auto", await PlanCacheModeAsync(writerConnection));
        Assert.Equal(WriterConnections.MaxConnections, new NpgsqlConnectionStringBuilder(writerConnection.ConnectionString).MaxPoolSize);
    }

    private static async Task<string?> PlanCacheModeAsync(NpgsqlConnection connection)
    {
        await connection.OpenAsync();
        await using var show = new NpgsqlCommand("SHOW plan_cache_mode", connection);
        return (string?)await show.ExecuteScalarAsync();
    }
}
