using Npgsql;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.UnitTests;

/// <summary>The connection settings the service adds to ConnectionStrings:Postgres (EventStoreSetup.WithDefaults).</summary>
public class EventStoreConnectionTests
{
    private const string Given = "Host=db;Port=5432;Database=pt;Username=app;Password=secret";

    [Fact]
    public void Adds_timeouts_and_statement_preparation()
    {
        var settings = new NpgsqlConnectionStringBuilder(EventStoreSetup.WithDefaults(Given));

        Assert.Equal(10, settings.Timeout);
        Assert.Equal(15, settings.CommandTimeout);
        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.Null(settings.Options);
    }

    [Fact]
    public void The_store_connections_plan_every_execution()
    {
        var settings = new NpgsqlConnectionStringBuilder(EventStoreSetup.WithDefaults(Given, planEveryExecution: true));

        Assert.Equal("-c plan_cache_mode=force_custom_plan", settings.Options);
        Assert.Equal(64, settings.MaxAutoPrepare);
    }

    [Fact]
    public void Settings_given_in_the_connection_string_win()
    {
        var settings = new NpgsqlConnectionStringBuilder(EventStoreSetup.WithDefaults(
            Given + ";Timeout=3;Command Timeout=30;Max Auto Prepare=0;Options=-c statement_timeout=5s", planEveryExecution: true));

        Assert.Equal(3, settings.Timeout);
        Assert.Equal(30, settings.CommandTimeout);
        Assert.Equal(0, settings.MaxAutoPrepare);
        Assert.Equal("-c statement_timeout=5s", settings.Options);
    }

    [Fact]
    public void Keeps_the_database_and_credentials()
    {
        var settings = new NpgsqlConnectionStringBuilder(EventStoreSetup.WithDefaults(Given, planEveryExecution: true));

        Assert.Equal(("db", 5432, "pt", "app", "secret"), (settings.Host, settings.Port, settings.Database, settings.Username, settings.Password));
    }

    [Fact]
    public void The_list_connections_keep_generic_plans_after_any_options_given()
    {
        Assert.Equal("-c plan_cache_mode=force_generic_plan", OptionsOf(new ListConnections(EventStoreSetup.WithDefaults(Given))));
        Assert.Equal("-c statement_timeout=5s -c plan_cache_mode=force_generic_plan",
            OptionsOf(new ListConnections(EventStoreSetup.WithDefaults(Given + ";Options=-c statement_timeout=5s"))));
    }

    private static string? OptionsOf(ListConnections connections)
    {
        using (connections)
        using (var connection = connections.Create())
            return new NpgsqlConnectionStringBuilder(connection.ConnectionString).Options;
    }
}
