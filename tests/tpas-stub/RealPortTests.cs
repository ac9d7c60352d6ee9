using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.TpasStub.Tests.Infrastructure;

namespace ProductionTests.TpasStub.Tests;

/// <summary>The stub on a real Kestrel port, as other test suites start it next to the services under test.</summary>
public sealed class RealPortTests
{
    [Fact]
    public async Task Starts_on_a_free_port_answers_plain_http_stops_and_restarts_empty()
    {
        var app = TpasStubApp.Build([], b => b.WebHost.UseUrls("http://127.0.0.1:0"));
        await app.StartAsync();
        var address = BoundAddress(app);
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", address);

        var requestId = StubHttp.NewRequestId();
        using (var client = new HttpClient { BaseAddress = new Uri(address) })
        {
            await (await client.CreateChallenge(requestId, StubHttp.ValidBody(requestId))).ShouldBeJson(HttpStatusCode.Created);
            Assert.Equal(1, await client.CountChallenges(requestId));
        }

        await app.StopAsync();
        await app.DisposeAsync();
        using (var client = new HttpClient { BaseAddress = new Uri(address) })
            await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/health/live"));

        // Same port again: a restart forgets every challenge (state is in memory only).
        await using var restarted = TpasStubApp.Build([], b => b.WebHost.UseUrls(address));
        await restarted.StartAsync();
        using (var client = new HttpClient { BaseAddress = new Uri(address) })
            Assert.Equal(0, await client.CountChallenges(requestId));
        await restarted.StopAsync();
    }

    private static string BoundAddress(WebApplication app) =>
        Assert.Single(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses);
}
