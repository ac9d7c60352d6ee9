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

    [Fact]
    public async Task Build_configure_can_replace_the_clock()
    {
        var clock = new ManualTimeProvider();
        await using var app = TpasStubApp.Build([], b =>
        {
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Services.AddSingleton<TimeProvider>(clock);
        });
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(BoundAddress(app)) };

        var id = await client.NewChallenge();
        Assert.Equal("2026-11-26T07:00:00.000Z", (await client.Challenge(id)).GetProperty("createdAt").GetString());
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("2026-11-26T08:00:00.000Z", (await client.Participated(id, StubHttp.ValidParticipant("user-1"))).GetProperty("participatedAt").GetString());

        clock.Advance(TimeSpan.FromDays(30));
        await (await client.Participate(id, StubHttp.ValidParticipant("user-2"))).ShouldBeProblem(HttpStatusCode.Conflict, "CHALLENGE_EXPIRED");
        await app.StopAsync();
    }

    private static string BoundAddress(WebApplication app) =>
        Assert.Single(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses);
}
