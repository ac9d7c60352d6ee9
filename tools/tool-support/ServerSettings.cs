using Npgsql;

namespace ProductionTests.Tools;

/// <summary>
/// The PostgreSQL and RabbitMQ a tool runs against, as .data/env exports them
/// (<c>ConnectionStrings__Postgres</c>, <c>ConnectionStrings__RabbitMq</c>, <c>RabbitMq__ManagementUrl</c>),
/// and the ports deploy/local/*.sh must be given to stop and start exactly those servers
/// (<c>PT_POSTGRES_PORT</c>, <c>PT_RABBITMQ_PORT</c>, <c>PT_RABBITMQ_MGMT_PORT</c>: taken from the
/// environment when set, which must then agree with the URLs, or else from the URLs).
/// </summary>
public sealed record ServerSettings(
    string Root,
    string PostgresConnectionString,
    string PostgresHost,
    int PostgresPort,
    Uri Amqp,
    int RabbitMqPort,
    Uri Management,
    int ManagementPort)
{
    /// <param name="deployScript">The tool's script that sets them up (deploy/fault-suite.sh...), named when they are missing.</param>
    public static ServerSettings FromEnvironment(string root, string deployScript)
    {
        var postgres = Required("ConnectionStrings__Postgres", deployScript);
        var builder = new NpgsqlConnectionStringBuilder(postgres);
        var host = builder.Host ?? "127.0.0.1";
        var postgresPort = PortFromEnvironment("PT_POSTGRES_PORT", builder.Port, "ConnectionStrings__Postgres");

        var amqp = new Uri(Required("ConnectionStrings__RabbitMq", deployScript));
        if (amqp.Scheme is not ("amqp" or "rabbitmq")) throw new SetupException($"ConnectionStrings__RabbitMq is not an AMQP URI: {amqp}");
        var rabbitPort = PortFromEnvironment("PT_RABBITMQ_PORT", amqp.IsDefaultPort || amqp.Port < 0 ? 5672 : amqp.Port, "ConnectionStrings__RabbitMq");

        var managementText = Environment.GetEnvironmentVariable("RabbitMq__ManagementUrl");
        var management = string.IsNullOrEmpty(managementText)
            ? new Uri($"http://{amqp.Host}:{Environment.GetEnvironmentVariable("PT_RABBITMQ_MGMT_PORT") ?? "15672"}/")
            : new Uri(managementText.EndsWith('/') ? managementText : managementText + "/");
        var managementPort = PortFromEnvironment("PT_RABBITMQ_MGMT_PORT", management.Port, "RabbitMq__ManagementUrl");

        return new ServerSettings(root, postgres, host, postgresPort, amqp, rabbitPort, management, managementPort);
    }

    private static string Required(string name, string deployScript) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new SetupException($"{name} is not set: run {deployScript}, or start the servers with deploy/local/*.sh and 'source .data/env'.");

    private static int PortFromEnvironment(string variable, int fromUrl, string urlVariable)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(text)) return fromUrl;
        if (!int.TryParse(text, out var port)) throw new SetupException($"{variable}={text} is not a port.");
        if (port != fromUrl)
            throw new SetupException($"{variable}={port} but {urlVariable} points at port {fromUrl}: the scripts would stop and start another server " +
                                     "than the one the services use. Source the .data/env that matches, or unset the variable.");
        return port;
    }

    public bool IsLoopback(string host) => host is "127.0.0.1" or "localhost" or "::1" or "[::1]";
}

