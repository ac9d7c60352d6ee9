using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>requests-api in memory, through its real HTTP pipeline, on real PostgreSQL and RabbitMQ.</summary>
public class ApiFactory(string connectionString, string environment, string broker, bool relay = true, TimeProvider? clock = null, Uri? tpas = null,
    IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (clock is not null) builder.ConfigureTestServices(services => services.AddSingleton(clock));
        // Every response a test receives is checked against the OpenAPI document and Hopae's schema.
        builder.ConfigureTestServices(services => services.AddSingleton<Contract.ContractCheck>().AddSingleton<IStartupFilter, Contract.ContractCheckStartupFilter>());
        builder.UseSetting("ConnectionStrings:Postgres", connectionString);
        builder.UseSetting("ConnectionStrings:RabbitMq", broker);
        builder.UseSetting("Deployment:Environment", environment);
        builder.UseSetting("Relay:Enabled", relay ? "true" : "false");
        if (tpas is not null) builder.UseSetting("Tpas:BaseUrl", tpas.ToString());
        builder.UseSetting("Tpas:TimeoutSeconds", "2");
        // Far above what any test sends: some hammer one key in a loop (OperationsTests' readers) and
        // would meet the default 50/s. RateLimitTests shows the limit on an instance of its own.
        builder.UseSetting("RateLimit:PermitsPerSecond", "100000");
        builder.UseSetting("RateLimit:Burst", "100000");
        // Webhooks: a sealing key, http to loopback receivers, short pauses between attempts and of a failing app (WebhookTests).
        builder.UseSetting("Webhooks:SecretKey", TestWebhooks.SealingKey);
        builder.UseSetting("Webhooks:AllowInsecureLoopback", "true");
        builder.UseSetting("Webhooks:TimeoutSeconds", "2");
        builder.UseSetting("Webhooks:RetryDelaysSeconds", TestWebhooks.RetryDelays);
        builder.UseSetting("Webhooks:PollMilliseconds", "50");
        builder.UseSetting("Webhooks:PauseAfterFailures", TestWebhooks.PauseAfterFailures.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Webhooks:PauseSeconds", TestWebhooks.PauseSeconds);
        builder.ConfigureTestServices(services => services.AddSingleton<ProductionTests.RequestsApi.Webhooks.IWebhookHostResolver, TestWebhooks.Resolver>());
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(key, value);
    }

    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
