using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// The store's connections (Marten's queries and the async daemon) have PostgreSQL plan every execution;
/// the writers' pool keeps the default plan cache; the list's pool keeps generic plans and skips the reset.
/// See EventStoreSetup.WithDefaults and ListConnections for why.
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

    [Fact]
    public async Task The_list_pages_keep_generic_plans_on_a_small_pool_that_is_not_reset()
    {
        await using var listConnection = api.Sandbox.Services.GetRequiredService<ListConnections>().Create();

        Assert.Equal("force_generic_plan", await PlanCacheModeAsync(listConnection));
        var settings = new NpgsqlConnectionStringBuilder(listConnection.ConnectionString);
        Assert.Equal(ListConnections.MaxConnections, settings.MaxPoolSize);
        Assert.True(settings.NoResetOnClose);
    }

    private static async Task<string?> PlanCacheModeAsync(NpgsqlConnection connection)
    {
        await connection.OpenAsync();
        await using var show = new NpgsqlCommand("SHOW plan_cache_mode", connection);
        return (string?)await show.ExecuteScalarAsync();
    }
}
