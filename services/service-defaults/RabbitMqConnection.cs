using System.Security.Authentication;
using MassTransit;
using RabbitMQ.Client;

namespace ProductionTests.ServiceDefaults;

/// <summary>
/// <c>ConnectionStrings:RabbitMq</c>, an AMQP URI: <c>amqp://user:password@host:port/vhost</c>, or
/// <c>amqps://...</c> for TLS (the default vhost is <c>/</c>, written as an empty path). Read by the
/// RabbitMQ client's own URI parser, so every form it accepts is accepted here.
/// </summary>
public sealed record RabbitMqConnection(string Host, ushort Port, string VirtualHost, string Username, string Password, bool UseTls = false)
{
    public static RabbitMqConnection Parse(string? connectionString)
    {
        const string Expected = "ConnectionStrings:RabbitMq must be an AMQP URI such as amqp://guest:guest@127.0.0.1:5672/ or amqps://user:password@broker/vhost (environment variable ConnectionStrings__RabbitMq).";
        if (string.IsNullOrWhiteSpace(connectionString) || !Uri.TryCreate(connectionString, UriKind.Absolute, out var uri))
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
        return new RabbitMqConnection(factory.HostName, (ushort)factory.Port, factory.VirtualHost, factory.UserName, factory.Password, factory.Ssl.Enabled);
    }

    /// <summary>This broker as MassTransit's host.</summary>
    public void ConfigureHost(IRabbitMqBusFactoryConfigurator bus) => bus.Host(Host, Port, VirtualHost, host =>
    {
        host.Username(Username);
        host.Password(Password);
        if (UseTls) host.UseSsl(tls => { tls.Protocol = SslProtocols.Tls12 | SslProtocols.Tls13; tls.ServerName = Host; });
    });

    /// <summary>This broker for the RabbitMQ client itself (the ops commands that read queues).</summary>
    public ConnectionFactory CreateConnectionFactory() => new()
    {
        HostName = Host, Port = Port, VirtualHost = VirtualHost, UserName = Username, Password = Password,
        Ssl = new SslOption { Enabled = UseTls, ServerName = Host },
    };
}
