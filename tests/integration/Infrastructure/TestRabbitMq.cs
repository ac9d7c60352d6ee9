using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Testcontainers.RabbitMq;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>
/// A real RabbitMQ for the test run: the one the project's scripts started and exported
/// (<c>ConnectionStrings__RabbitMq</c>, <c>RabbitMq__ManagementUrl</c>), or else a Testcontainers one.
/// Each <see cref="VirtualHost"/> is a broker of its own for one isolated platform.
/// </summary>
public sealed class TestRabbitMq : IAsyncDisposable
{
    private readonly RabbitMqContainer? _container;
    private readonly HttpClient _management;
    private readonly Uri _amqp;

    private TestRabbitMq(RabbitMqContainer? container, Uri amqp, Uri management)
    {
        _container = container;
        _amqp = amqp;
        _management = new HttpClient { BaseAddress = management };
        _management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo))));
    }

    public static async Task<TestRabbitMq> StartAsync()
    {
        var amqp = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        var management = Environment.GetEnvironmentVariable("RabbitMq__ManagementUrl");
        if (!string.IsNullOrEmpty(amqp) && !string.IsNullOrEmpty(management))
            return new TestRabbitMq(null, new Uri(amqp), new Uri(management));

        var container = new RabbitMqBuilder("rabbitmq:3-management").WithPortBinding(15672, true).Build();
        await container.StartAsync();
        var managementUrl = new Uri($"http://{container.Hostname}:{container.GetMappedPublicPort(15672)}/");
        return new TestRabbitMq(container, new Uri(container.GetConnectionString()), managementUrl);
    }

    public async Task<VirtualHost> CreateVirtualHostAsync()
    {
        var name = $"pt-test-{Guid.NewGuid():N}";
        (await _management.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        var user = Uri.UnescapeDataString(_amqp.UserInfo.Split(':')[0]);
        (await _management.PutAsJsonAsync($"api/permissions/{name}/{user}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        var builder = new UriBuilder(_amqp) { Path = "/" + name };
        return new VirtualHost(this, name, builder.Uri.ToString());
    }

    public sealed record VirtualHost(TestRabbitMq Broker, string Name, string ConnectionString) : IAsyncDisposable
    {
        /// <summary>A queue's ready and unacknowledged message counts, or null while it does not exist.</summary>
        public async Task<(long Ready, long Unacknowledged)?> QueueDepthAsync(string queue)
        {
            var response = await Broker._management.GetAsync($"api/queues/{Name}/{queue}");
            if (!response.IsSuccessStatusCode) return null;
            var json = await response.Content.ReadFromJsonAsync<JsonElement>();
            long Count(string property) => json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
            return (Count("messages_ready"), Count("messages_unacknowledged"));
        }

        /// <summary>A queue's type as the broker reports it ("quorum", "classic"), or null while it does not exist.</summary>
        public async Task<string?> QueueTypeAsync(string queue)
        {
            var response = await Broker._management.GetAsync($"api/queues/{Name}/{queue}");
            if (!response.IsSuccessStatusCode) return null;
            var json = await response.Content.ReadFromJsonAsync<JsonElement>();
            return json.TryGetProperty("type", out var type) ? type.GetString() : null;
        }

        public async ValueTask DisposeAsync() => await Broker._management.DeleteAsync($"api/vhosts/{Name}");
    }

    /// <summary>The AMQP endpoint, for a proxy that stands between a service and the broker.</summary>
    public (string Host, int Port) AmqpEndpoint => (_amqp.Host, _amqp.IsDefaultPort || _amqp.Port < 0 ? 5672 : _amqp.Port);

    public async ValueTask DisposeAsync()
    {
        _management.Dispose();
        if (_container is not null) await _container.DisposeAsync();
    }
}
