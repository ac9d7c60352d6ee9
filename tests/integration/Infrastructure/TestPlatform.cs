extern alias scheduler;
extern alias stub;
using System.Net.Http.Json;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.RequestsApi.ReferenceData;
using SchedulerApp = scheduler::ProductionTests.Scheduler.SchedulerApp;
using TpasStubApp = stub::ProductionTests.TpasStub.TpasStubApp;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>
/// The whole system on real servers, isolated from other platforms: its own PostgreSQL database and
/// RabbitMQ virtual host, a tpas-stub and a scheduler on real loopback ports, and requests-api (a
/// sandbox and a production instance) through WebApplicationFactory. Reference data: the demo set
/// (deploy/demo-data.json) and <see cref="TestData"/>.
/// </summary>
public sealed class TestPlatform : IAsyncDisposable
{
    private static readonly SemaphoreSlim ServersLock = new(1, 1);
    private static TestRabbitMq? _rabbitMq;

    private readonly TestPostgres _database;
    private readonly List<ApiFactory> _apis = [];
    private WebApplication? _stub;
    private WebApplication? _scheduler;

    public TestRabbitMq.VirtualHost Broker { get; }
    public Uri StubAddress { get; private set; } = null!;
    public HttpClient Stub { get; private set; } = null!;
    public ApiFactory Sandbox { get; private set; } = null!;
    public ApiFactory Production { get; private set; } = null!;
    public string ConnectionString => _database.ConnectionString;
    public IDocumentStore Store => Sandbox.Services.GetRequiredService<IDocumentStore>();

    private TestPlatform(TestPostgres database, TestRabbitMq.VirtualHost broker)
    {
        _database = database;
        Broker = broker;
    }

    /// <param name="relay">Whether the sandbox API runs the relay (false: events stay unpublished).</param>
    /// <param name="apiBroker">The AMQP URI requests-api uses, when it must differ (a proxy).</param>
    /// <param name="history">Writes to the new database before any service starts (a store with a past).</param>
    /// <param name="scheduler">Adds to the scheduler's services (a test double in its bus).</param>
    public static async Task<TestPlatform> StartAsync(bool relay = true, Func<TestPlatform, string>? apiBroker = null, Func<string, Task>? history = null,
        Action<IServiceCollection>? scheduler = null)
    {
        var rabbitMq = await SharedRabbitMqAsync();
        var platform = new TestPlatform(await TestPostgres.StartAsync(), await rabbitMq.CreateVirtualHostAsync());
        if (history is not null) await history(platform.ConnectionString);
        await platform.StartStubAsync(port: 0);
        await platform.StartSchedulerAsync(scheduler);
        var brokerForApi = apiBroker?.Invoke(platform) ?? platform.Broker.ConnectionString;
        platform.Sandbox = platform.NewApi("sandbox", relay, brokerForApi);
        platform.Production = platform.NewApi("production", relay, brokerForApi);

        var loader = platform.Sandbox.Services.GetRequiredService<ReferenceDataLoader>();
        await loader.LoadAsync(ReferenceDataFile.Parse(await File.ReadAllTextAsync(RepositoryFiles.Path("deploy/demo-data.json"))), CancellationToken.None);
        await loader.LoadAsync(TestData.File, CancellationToken.None);
        return platform;
    }

    /// <summary>Another requests-api instance on this platform's database (started on first use).</summary>
    public ApiFactory NewApi(string environment = "sandbox", bool relay = true, string? broker = null, TimeProvider? clock = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var api = new ApiFactory(_database.ConnectionString, environment, broker ?? Broker.ConnectionString, relay, clock, StubAddress, settings);
        _ = api.Server;
        _apis.Add(api);
        return api;
    }

    public async Task StopStubAsync()
    {
        if (_stub is null) return;
        await _stub.StopAsync();
        await _stub.DisposeAsync();
        _stub = null;
    }

    /// <summary>Starts the stub (again) on the same port; its memory starts empty.</summary>
    public Task RestartStubAsync() => StartStubAsync(StubAddress.Port);

    private async Task StartStubAsync(int port)
    {
        _stub = TpasStubApp.Build([], b => b.WebHost.UseUrls($"http://127.0.0.1:{port}"));
        await _stub.StartAsync();
        StubAddress = new Uri(_stub.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
        Stub = new HttpClient { BaseAddress = StubAddress };
    }

    private async Task StartSchedulerAsync(Action<IServiceCollection>? services)
    {
        _scheduler = SchedulerApp.Build([], b =>
        {
            services?.Invoke(b.Services);
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:RabbitMq"] = Broker.ConnectionString,
                ["Tpas:BaseUrl"] = StubAddress.ToString(),
                ["Tpas:TimeoutSeconds"] = "2",
                // Short pauses so that a test of an outage does not wait long; 40 tries cover ~30 s.
                ["Scheduling:RetryLimit"] = "40",
                ["Scheduling:MinRetryIntervalMs"] = "50",
                ["Scheduling:MaxRetryIntervalMs"] = "1000",
                ["Scheduling:PublishTimeoutMs"] = "2000",
            });
        });
        await _scheduler.StartAsync();
    }

    /// <summary>
    /// What tpas-stub saw for one request: its booking calls and the challenges they created. The stub answers
    /// a repeated key with the challenge it has, so only the call count can show a request booked again.
    /// </summary>
    public async Task<StubBookings> StubBookingsAsync(string requestId)
    {
        var booking = await Stub.GetFromJsonAsync<System.Text.Json.JsonElement>($"admin/bookings/{Uri.EscapeDataString(requestId)}");
        return new StubBookings(booking.GetProperty("calls").GetInt32(), booking.GetProperty("challenges").GetInt32(),
            booking.GetProperty("answers").EnumerateObject().ToDictionary(a => a.Name, a => a.Value.GetInt32()), booking.GetProperty("lostAnswers").GetInt32());
    }

    public Task SetStubFaultsAsync(object faults) => Stub.PutAsJsonAsync("admin/faults", faults).ContinueWith(t => t.Result.EnsureSuccessStatusCode());

    public async Task ResetStubFaultsAsync() => (await Stub.PostAsync("admin/faults/reset", null)).EnsureSuccessStatusCode();

    /// <summary>Waits until every message on the platform's queues has been handled.</summary>
    public async Task WaitForQueuesToDrainAsync(TimeSpan? timeout = null)
    {
        string[] queues = ["scheduler-challenge-requested", "requests-api-challenge-outcomes"];
        var last = "";
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                foreach (var queue in queues)
                {
                    var depth = await Broker.QueueDepthAsync(queue);
                    last = $"{queue}: {depth}";
                    if (depth is not (0, 0)) return false;
                }
                return true;
            }, timeout ?? TimeSpan.FromSeconds(20), "the queues to drain", stableFor: TimeSpan.FromMilliseconds(600));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last seen: {last}", e);
        }
    }

    private static async Task<TestRabbitMq> SharedRabbitMqAsync()
    {
        await ServersLock.WaitAsync();
        try { return _rabbitMq ??= await TestRabbitMq.StartAsync(); }
        finally { ServersLock.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var api in _apis) await api.DisposeAsync();
        if (_scheduler is not null) { await _scheduler.StopAsync(); await _scheduler.DisposeAsync(); }
        await StopStubAsync();
        await Broker.DisposeAsync();
        await _database.DisposeAsync();
    }
}
