using System.Security.Authentication;
using MassTransit;
using RabbitMQ.Client;

namespace ProductionTests.ServiceDefaults;

/// <summary>
/// <c>ConnectionStrings:RabbitMq</c>, an AMQP URI: <c>amqp://user:password@host:port/vhost</c>, or
/// <c>amqps://...</c> for TLS (the default vhost is <c>/</c>, written as an empty path). Read by the
/// RabbitMQ client's own URI parser, so every form it accepts is accepted here. A cluster is a comma-separated
/// list of its nodes in place of the host (<c>amqp://guest:guest@10.0.0.1:5672,10.0.0.2:5672,10.0.0.3/</c>): the
/// first is <see cref="Host"/>, and <see cref="ClusterNodes"/> names them all ("host:port,...") for MassTransit's
/// cluster support, which moves to the next node when a connection is lost.
/// </summary>
public sealed record RabbitMqConnection(string Host, ushort Port, string VirtualHost, string Username, string Password, bool UseTls = false, string? ClusterNodes = null)
{
    private static readonly System.Text.RegularExpressions.Regex HostList = new(@"^(?<head>[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?)(?<hosts>[^/?#]*,[^/?#]*)(?<tail>.*)$");

    public static RabbitMqConnection Parse(string? connectionString)
    {
        const string Expected = "ConnectionStrings:RabbitMq must be an AMQP URI such as amqp://guest:guest@127.0.0.1:5672/ or amqps://user:password@broker/vhost, or with a cluster's nodes in place of the host, amqp://guest:guest@node1:5672,node2:5672,node3:5672/ (environment variable ConnectionStrings__RabbitMq).";
        if (string.IsNullOrWhiteSpace(connectionString)) throw new InvalidOperationException(Expected);
        string[]? nodes = null;
        if (HostList.Match(connectionString) is { Success: true } list)
        {
            nodes = list.Groups["hosts"].Value.Split(',', StringSplitOptions.TrimEntries);
            if (nodes.Any(string.IsNullOrEmpty)) throw new InvalidOperationException(Expected);
            connectionString = list.Groups["head"].Value + nodes[0] + list.Groups["tail"].Value;
        }
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri))
            throw new InvalidOperationException(Expected);
        // MassTransit's own scheme names: rabbitmq:// is amqp://, rabbitmqs:// is amqps://.
        if (uri.Scheme is "rabbitmq" or "rabbitmqs")
            uri = new UriBuilder(uri) { Scheme = uri.Scheme == "rabbitmq" ? "amqp" : "amqps", Port = uri.IsDefaultPort ? -1 : uri.Port }.Uri;
        if (uri.Scheme is not ("amqp" or "amqps")) throw new InvalidOperationException(Expected);

        var factory = new ConnectionFactory();
        try
        {
            factory.Uri = uri;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new InvalidOperationException($"{Expected} {e.Message}", e);
        }
        var clusterNodes = nodes is null ? null : string.Join(',', nodes.Select(node => WithPort(node, factory.Ssl.Enabled ? 5671 : 5672)));
        return new RabbitMqConnection(factory.HostName, (ushort)factory.Port, factory.VirtualHost, factory.UserName, factory.Password, factory.Ssl.Enabled, clusterNodes);
    }

    /// <summary>"host" or "host:port" (IPv6 in brackets) as "host:port", the scheme's port when none is given.</summary>
    private static string WithPort(string node, int defaultPort)
    {
        if (!Uri.TryCreate($"amqp://{node}/", UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw new InvalidOperationException($"ConnectionStrings:RabbitMq: '{node}' is not a host or host:port.");
        var host = uri.HostNameType == UriHostNameType.IPv6 ? $"[{uri.Host.Trim('[', ']')}]" : uri.Host;
        return $"{host}:{(uri.IsDefaultPort || uri.Port < 0 ? defaultPort : uri.Port)}";
    }

    /// <summary>This broker as MassTransit's host.</summary>
    public void ConfigureHost(IRabbitMqBusFactoryConfigurator bus) => bus.Host(Host, Port, VirtualHost, host =>
    {
        host.Username(Username);
        host.Password(Password);
        if (UseTls) host.UseSsl(tls => { tls.Protocol = SslProtocols.Tls12 | SslProtocols.Tls13; tls.ServerName = Host; });
        if (ClusterNodes is not null) host.UseCluster(cluster => { foreach (var node in ClusterNodes.Split(',')) cluster.Node(node); });
    });

    /// <summary>This broker for the RabbitMQ client itself (the ops commands that read queues).</summary>
    public ConnectionFactory CreateConnectionFactory() => new()
    {
        HostName = Host, Port = Port, VirtualHost = VirtualHost, UserName = Username, Password = Password,
        Ssl = new SslOption { Enabled = UseTls, ServerName = Host },
    };

    /// <summary>Every node to try, in order, for the RabbitMQ client's <c>CreateConnectionAsync(endpoints)</c>.</summary>
    public IReadOnlyList<AmqpTcpEndpoint> Endpoints() => (ClusterNodes?.Split(',') ?? [$"{Host}:{Port}"])
        .Select(node =>
        {
            var endpoint = AmqpTcpEndpoint.Parse(node);
            endpoint.Ssl = new SslOption { Enabled = UseTls, ServerName = endpoint.HostName };
            return endpoint;
        })
        .ToList();
}
