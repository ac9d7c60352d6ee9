using Npgsql;

namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>
/// A data source for a connection string, single host or several (<c>Host=a:5432,b:5432</c>, a primary and its
/// standbys). For several hosts Npgsql wants <c>Target Session Attributes</c> on the data source, not in the
/// string (it throws otherwise), so it is taken out and applied with <c>WithTargetSession</c>: <c>primary</c>
/// unless the string says otherwise, so a promoted standby is found without reconfiguration.
/// </summary>
public static class PostgresDataSource
{
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!IsMultiHost(builder)) return NpgsqlDataSource.Create(connectionString);
        var target = TargetOf(builder.TargetSessionAttributes);
        builder.TargetSessionAttributes = null;
        return new NpgsqlDataSourceBuilder(builder.ConnectionString).BuildMultiHost().WithTargetSession(target);
    }

    public static bool IsMultiHost(NpgsqlConnectionStringBuilder builder) => builder.Host?.Contains(',') == true;

    /// <summary>"primary", "read-write", "prefer-standby"... as Npgsql's enum; primary when not given.</summary>
    public static TargetSessionAttributes TargetOf(string? value) =>
        string.IsNullOrWhiteSpace(value) ? TargetSessionAttributes.Primary
        : Enum.TryParse<TargetSessionAttributes>(value.Replace("-", ""), ignoreCase: true, out var parsed) ? parsed
        : throw new InvalidOperationException($"ConnectionStrings:Postgres: Target Session Attributes '{value}' is not one Npgsql knows.");
}
