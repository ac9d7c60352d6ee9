namespace ProductionTests.ServiceDefaults;

/// <summary>
/// <c>ConnectionStrings:RabbitMq</c>, an AMQP URI: <c>amqp://user:password@host:port/vhost</c>
/// (the default vhost is <c>/</c>, written as an empty path).
/// </summary>
public sealed record RabbitMqConnection(string Host, ushort Port, string VirtualHost, string Username, string Password)
{
    public static RabbitMqConnection Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString) || !Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "rabbitmq"))
            throw new InvalidOperationException("ConnectionStrings:RabbitMq must be an AMQP URI such as amqp://guest:guest@127.0.0.1:5672/ (environment variable ConnectionStrings__RabbitMq).");
        var credentials = uri.UserInfo.Split(':', 2);
        var vhost = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new RabbitMqConnection(
            uri.Host,
            (ushort)(uri.IsDefaultPort || uri.Port < 0 ? 5672 : uri.Port),
            vhost.Length == 0 ? "/" : vhost,
            credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : "guest",
            credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "guest");
    }
}
