using Npgsql;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.UnitTests;

public class PostgresDataSourceTests
{
    [Fact]
    public void Several_hosts_are_a_multi_host_data_source_asking_for_the_primary_by_default()
    {
        // Npgsql throws on Target Session Attributes in a multi-host string; PostgresDataSource must take it out.
        using var dataSource = PostgresDataSource.Create("Host=a:1,b:2;Username=u;Database=d;Target Session Attributes=primary");

        Assert.Contains("a:1,b:2", dataSource.ConnectionString);
        Assert.DoesNotContain("Target Session Attributes", dataSource.ConnectionString, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(null, TargetSessionAttributes.Primary)]
    [InlineData("primary", TargetSessionAttributes.Primary)]
    [InlineData("read-write", TargetSessionAttributes.ReadWrite)]
    [InlineData("prefer-standby", TargetSessionAttributes.PreferStandby)]
    public void Target_session_attributes_are_read_as_npgsql_spells_them(string? given, TargetSessionAttributes expected)
    {
        Assert.Equal(expected, PostgresDataSource.TargetOf(given));
    }

    [Fact]
    public void An_unknown_target_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => PostgresDataSource.TargetOf("leader"));
    }

    [Fact]
    public void A_multi_host_string_gets_a_one_second_host_recheck_unless_it_says_otherwise()
    {
        Assert.Equal(1, new NpgsqlConnectionStringBuilder(EventStoreSetup.WithDefaults("Host=a:1,b:2;Username=u")).HostRecheckSeconds);
        Assert.Equal(7, new NpgsqlConnectionStringBuilder(EventStoreSetup.WithDefaults("Host=a:1,b:2;Username=u;Host Recheck Seconds=7")).HostRecheckSeconds);
        Assert.Equal(10, new NpgsqlConnectionStringBuilder(EventStoreSetup.WithDefaults("Host=a;Username=u")).HostRecheckSeconds);
    }
}
