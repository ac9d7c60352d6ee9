extern alias receiver;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.RequestsApi.Webhooks;
using WebhookReceiverApp = receiver::ProductionTests.WebhookReceiver.WebhookReceiverApp;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>What every requests-api of the tests uses for webhooks, and a webhook-receiver on a real port.</summary>
public static class TestWebhooks
{
    /// <summary>The tests' sealing key (base64 of 32 bytes); production's comes from configuration.</summary>
    public const string SealingKey = "dGVzdHMtb25seS13ZWJob29rLXNlYWxpbmcta2V5ISE=";

    /// <summary>Short pauses, 19 attempts over about 16 s: a receiver down for a few seconds is retried until it is back.</summary>
    public const string RetryDelays = "0.2,0.4,0.8,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1";
    public static readonly TimeSpan[] RetryDelayList = [.. RetryDelays.Split(',').Select(s => TimeSpan.FromSeconds(double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)))];

    /// <summary>A failing app is paused after this many failures in a row, for 0.5 s, then 1 s after each failed probe.</summary>
    public const int PauseAfterFailures = 5;
    public const string PauseSeconds = "0.5,1";
    public static readonly TimeSpan ShortestPause = TimeSpan.FromSeconds(0.5);

    /// <summary>
    /// Real DNS, except for names under <c>.rebind.test</c>, which answer what a test set (DNS rebinding:
    /// a public address when the URL is configured, a private one when the dispatcher connects).
    /// </summary>
    public sealed class Resolver : IWebhookHostResolver
    {
        public static readonly ConcurrentDictionary<string, IPAddress[]> Answers = new(StringComparer.OrdinalIgnoreCase);
        private readonly DnsHostResolver _dns = new();

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
            host.EndsWith(".rebind.test", StringComparison.OrdinalIgnoreCase)
                ? Task.FromResult(Answers.GetValueOrDefault(host) ?? [])
                : _dns.ResolveAsync(host, ct);
    }
}

/// <summary>services/webhook-receiver on a real loopback port (stopped and started again on the same port on demand).</summary>
public sealed class ReceiverHost : IAsyncDisposable
{
    private WebApplication? _app;

    public Uri Address { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    public static async Task<ReceiverHost> StartAsync(int port = 0)
    {
        var host = new ReceiverHost();
        await host.StartOnAsync(port);
        return host;
    }

    public async Task StartOnAsync(int port)
    {
        _app = WebhookReceiverApp.Build([], b => b.WebHost.UseUrls($"http://127.0.0.1:{port}"));
        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
        Admin = new HttpClient { BaseAddress = Address };
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public string Hook(string name) => new Uri(Address, $"hooks/{name}").ToString();

    public async Task ConfigureAsync(string name, object settings) => (await Admin.PutAsJsonAsync($"admin/receivers/{name}", settings)).EnsureSuccessStatusCode();

    public async Task<List<JsonElement>> ReceivedAsync(string name) =>
        (await Admin.GetFromJsonAsync<List<JsonElement>>($"admin/receivers/{name}/deliveries"))!;

    /// <summary>A port nothing listens on (bound, then released).</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
