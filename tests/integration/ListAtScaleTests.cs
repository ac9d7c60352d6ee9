using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ProductionTests.Contracts;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.RequestsApi.Outcomes;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>The platform of <see cref="ListAtScaleTests"/>: relay off, so the outcomes are the tests' own, written through the real outcome writer.</summary>
public sealed class ListAtScalePlatform : IAsyncLifetime
{
    public TestPlatform Platform { get; private set; } = null!;
    public async Task InitializeAsync() => Platform = await TestPlatform.StartAsync(relay: false);
    public async Task DisposeAsync() => await Platform.DisposeAsync();
}

/// <summary>
/// Pages, filters and conditional GET on the list (and conditional GET on one request). Each test uses an app of
/// its own, so their items do not mix: pages ListApp, filters AcmeShop, ETags AcmeBank and GlobexPay.
/// </summary>
public sealed class ListAtScaleTests(ListAtScalePlatform fixture) : IClassFixture<ListAtScalePlatform>
{
    private TestPlatform Platform => fixture.Platform;
    private HttpClient Acme => Platform.Sandbox.ClientWithKey(AcmeKey);

    [Fact]
    public async Task Pages_walk_the_list_newest_first_without_skipping_or_repeating_while_requests_are_created()
    {
        var tests = Platform.Sandbox.ClientWithKey(TestsKey);
        var before = new List<string>();
        for (var i = 0; i < 23; i++) before.Add(await CreateAsync(tests, ListApp, $"before {i}"));

        var seen = new List<string>();
        var during = new List<string>();
        var url = $"{HttpAssertions.ProductionTests(ListApp)}?limit=5";
        var pages = 0;
        while (url is not null)
        {
            var response = await tests.GetAsync(url);
            var page = await response.ShouldBeJson(HttpStatusCode.OK);
            Assert.InRange(page.GetArrayLength(), 1, 5);
            seen.AddRange(page.EnumerateArray().Select(RequestId));
            pages++;
            url = NextLink(response);
            // New requests between the calls (and at the same time as the next one) land before the cursor.
            during.Add(await CreateAsync(tests, ListApp, $"during {pages}"));
            var concurrent = Task.WhenAll(Enumerable.Range(0, 3).Select(i => CreateAsync(tests, ListApp, $"during {pages}.{i}")));
            if (url is not null) Assert.Contains("limit=5", url);
            during.AddRange(await concurrent);
        }

        // (The app may hold older requests of another test of this class: they come after ours.)
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(Enumerable.Reverse(before), seen.Take(before.Count));
        Assert.DoesNotContain(seen, during.Contains);

        // The whole list (no parameters) holds everything, newest first, and the first page is its beginning.
        var whole = (await (await tests.GetAsync(HttpAssertions.ProductionTests(ListApp))).ShouldBeJson(HttpStatusCode.OK)).EnumerateArray().Select(RequestId).ToList();
        Assert.Equal(seen.Count + during.Count, whole.Count);
        Assert.Equal(seen, whole.Skip(during.Count));
        var first = await (await tests.GetAsync($"{HttpAssertions.ProductionTests(ListApp)}?limit=200")).ShouldBeJson(HttpStatusCode.OK);
        Assert.Equal(whole.Take(200), first.EnumerateArray().Select(RequestId));
    }

    [Fact]
    public async Task Filters_by_status_and_type_alone_together_and_with_pages()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++) ids.Add(await CreateAsync(Acme, AcmeShop, $"filter {i}"));
        await ScheduleAsync(ids[1], AcmeShop);
        await ScheduleAsync(ids[4], AcmeShop);
        await FailAsync(ids[2], AcmeShop);
        var newestFirst = Enumerable.Reverse(ids).ToList();
        List<string> Where(params int[] indexes) => newestFirst.Where(id => indexes.Contains(ids.IndexOf(id))).ToList();

        Assert.Equal(Where(0, 3, 5, 6), await IdsAsync("status=pending"));
        Assert.Equal(Where(1, 2, 4), await IdsAsync("status=scheduled,failed"));
        Assert.Equal(Where(1, 2, 4), await IdsAsync("status=failed&status=scheduled"));
        Assert.Equal(Where(1, 4), await IdsAsync("type=challenge"));
        Assert.Equal(Where(0, 2, 3, 5, 6), await IdsAsync("type=request"));
        Assert.Equal(newestFirst, await IdsAsync("type=request,challenge"));
        Assert.Equal(Where(2), await IdsAsync("type=request&status=failed,scheduled"));
        Assert.Empty(await IdsAsync("status=pending&type=challenge"));

        // (AcmeShop may also hold another test's requests: only this test's are compared.)
        // Filtered pages: the same items, a page at a time, the filter kept in the next link.
        var paged = new List<string>();
        var url = $"{HttpAssertions.ProductionTests(AcmeShop)}?type=request&limit=2";
        while (url is not null)
        {
            var response = await Acme.GetAsync(url);
            var page = await response.ShouldBeJson(HttpStatusCode.OK);
            Assert.All(page.EnumerateArray(), item => Assert.Equal("request", item.GetProperty("type").GetString()));
            paged.AddRange(page.EnumerateArray().Select(RequestId).Where(ids.Contains));
            url = NextLink(response);
            if (url is not null) Assert.Contains("type=request", url);
        }
        Assert.Equal(Where(0, 2, 3, 5, 6), paged);

        async Task<List<string>> IdsAsync(string query) =>
            (await (await Acme.GetAsync($"{HttpAssertions.ProductionTests(AcmeShop)}?{query}")).ShouldBeJson(HttpStatusCode.OK)).EnumerateArray().Select(RequestId).Where(ids.Contains).ToList();
    }

    [Fact]
    public async Task The_list_ETag_changes_with_every_create_outcome_and_view_rebuild_and_with_nothing_else()
    {
        var list = HttpAssertions.ProductionTests(AcmeBank);
        var first = await CreateAsync(Acme, AcmeBank, "etag first");
        var etag = await Revalidated(list, null);

        // Nothing that leaves the answer as it is changes the ETag: reads, another app's requests, a refused create,
        // an Idempotency-Key replay, an outcome for a request that already has one.
        await Acme.GetAsync(list);
        await Acme.GetAsync($"{list}/{first}");
        await CreateAsync(Acme, AcmeShop, "another app");
        await CreateAsync(Platform.Sandbox.ClientWithKey(GlobexKey), GlobexPay, "another workspace");
        Assert.Equal(HttpStatusCode.BadRequest, (await Acme.CreateProductionTest(AcmeBank, new { title = "" })).StatusCode);
        etag = await Revalidated(list, etag);
        var keyed = await PostWithKeyAsync("etag keyed", "etag-replay-1");
        etag = await Revalidated(list, etag, changed: true);
        Assert.Equal(keyed, await PostWithKeyAsync("etag keyed", "etag-replay-1"));
        etag = await Revalidated(list, etag);
        await ScheduleAsync(first, AcmeBank);
        etag = await Revalidated(list, etag, changed: true);
        Assert.IsType<OutcomeWriter.Result.AlreadyRecorded>(await RecordAsync(Failed(first, AcmeBank)));
        await Revalidated(list, etag);

        // A create and an outcome each change it.
        var second = await CreateAsync(Acme, AcmeBank, "etag second");
        etag = await Revalidated(list, etag, changed: true);
        await FailAsync(second, AcmeBank);
        etag = await Revalidated(list, etag, changed: true);

        // Pages and filters have ETags of their own, which change with the app's list.
        var page = await Acme.GetAsync($"{list}?limit=1");
        Assert.NotEqual(etag, page.Headers.ETag!.Tag);
        var pageTag = page.Headers.ETag.Tag;
        await RevalidatedAs($"{list}?limit=1", pageTag, HttpStatusCode.NotModified);

        // A view the events disagree with (written around the API, so nothing knew), repaired by rebuild-views: the
        // repair changes the answer and the ETag; a second rebuild finds nothing to change and leaves the ETag alone.
        await using (var connection = new NpgsqlConnection(Platform.ConnectionString))
        {
            await connection.OpenAsync();
            await using var corrupt = new NpgsqlCommand(
                "UPDATE production_tests.mt_doc_challengerequestview SET data = jsonb_set(data, '{Payload,Title}', '\"corrupted\"') WHERE id = $1", connection)
            { Parameters = { new() { Value = first } } };
            Assert.Equal(1, await corrupt.ExecuteNonQueryAsync());
        }
        // The list still answers as at its version (nothing bumped it: that is what "around the API" means), the request itself shows it.
        Assert.DoesNotContain("corrupted", await (await Acme.GetAsync(list)).Content.ReadAsStringAsync());
        Assert.Contains("corrupted", await (await Acme.GetAsync($"{list}/{first}")).Content.ReadAsStringAsync());
        var rebuilt = await OpsCommand.RunAsync(Platform, "rebuild-views");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Output);
        Assert.Contains("1 written", rebuilt.Output);
        etag = await Revalidated(list, etag, changed: true);
        Assert.DoesNotContain("corrupted", await (await Acme.GetAsync(list)).Content.ReadAsStringAsync());
        await RevalidatedAs($"{list}?limit=1", pageTag, HttpStatusCode.OK);
        var again = await OpsCommand.RunAsync(Platform, "rebuild-views");
        Assert.Contains("0 written", again.Output);
        await Revalidated(list, etag);
    }

    [Fact]
    public async Task One_request_answers_304_while_unchanged_also_at_the_end_of_a_wait()
    {
        var globex = Platform.Sandbox.ClientWithKey(GlobexKey);
        var id = await CreateAsync(globex, GlobexPay, "one etag");
        var url = $"{HttpAssertions.ProductionTests(GlobexPay)}/{id}";
        var ok = await globex.GetAsync(url);
        await ok.ShouldBeJson(HttpStatusCode.OK);
        var etag = ok.Headers.ETag!.Tag;
        Assert.True(ok.Headers.CacheControl is { Private: true, NoCache: true }, $"Cache-Control: {ok.Headers.CacheControl}");

        var notModified = await ConditionalAsync(globex, url, etag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await ConditionalAsync(globex, url, "*")).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await ConditionalAsync(globex, url, $"W/{etag}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ConditionalAsync(globex, url, "\"something-else\"")).StatusCode);

        // Still pending when a wait ends: 304, the wait honoured.
        var waited = await ConditionalAsync(globex, url, etag, prefer: "wait=1");
        Assert.Equal(HttpStatusCode.NotModified, waited.StatusCode);
        Assert.Equal("wait=1", waited.Headers.GetValues("Preference-Applied").Single());

        // The outcome during a wait: the new answer, with a new ETag.
        var waiting = ConditionalAsync(globex, url, etag, prefer: "wait=20");
        await ScheduleAsync(id, GlobexPay);
        var changed = await waiting;
        var body = await changed.ShouldBeJson(HttpStatusCode.OK);
        Assert.Equal("scheduled", body.GetProperty("status").GetString());
        Assert.NotEqual(etag, changed.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await ConditionalAsync(globex, url, changed.Headers.ETag.Tag)).StatusCode);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=1.5", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=", "limit")]
    [InlineData("limit=05", "limit")]
    [InlineData("limit=5&limit=6", "limit")]
    [InlineData("after=", "after")]
    [InlineData("after=not-a-cursor", "after")]
    [InlineData("after=AQ%3D%3D", "after")]
    [InlineData("limit=5&after=AAAAAAAAAAAAAHJlcV94", "after")]
    [InlineData("status=done", "status")]
    [InlineData("status=", "status")]
    [InlineData("status=pending,", "status")]
    [InlineData("status=Pending", "status")]
    [InlineData("type=requests", "type")]
    [InlineData("type=challenge&status=nope", "status")]
    public async Task A_bad_parameter_is_a_400_naming_it(string query, string field)
    {
        var response = await Acme.GetAsync($"{HttpAssertions.ProductionTests(AcmeBank)}?{query}");
        var problem = await response.ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
        Assert.Equal(field, problem.GetProperty("context").GetProperty("field").GetString());
        Assert.Contains(field, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_tampered_cursor_is_refused_and_an_unknown_parameter_is_ignored_as_before()
    {
        var tests = Platform.Sandbox.ClientWithKey(TestsKey);
        await CreateAsync(tests, ListApp, "cursor a");
        await CreateAsync(tests, ListApp, "cursor b");
        var next = NextLink(await tests.GetAsync($"{HttpAssertions.ProductionTests(ListApp)}?limit=1"))!;
        var cursor = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), next).Query)["after"]!;
        var tampered = cursor[..5] + (cursor[5] == 'A' ? 'B' : 'A') + cursor[6..];
        await (await tests.GetAsync($"{HttpAssertions.ProductionTests(ListApp)}?after={tampered}")).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");

        var plain = await (await tests.GetAsync(HttpAssertions.ProductionTests(ListApp))).Content.ReadAsStringAsync();
        Assert.Equal(plain, await (await tests.GetAsync($"{HttpAssertions.ProductionTests(ListApp)}?sort=asc&foo")).Content.ReadAsStringAsync());
    }

    private async Task<string> Revalidated(string url, string? etag, bool changed = false)
    {
        var response = etag is null ? await Acme.GetAsync(url) : await ConditionalAsync(Acme, url, etag);
        Assert.Equal(etag is null || changed ? HttpStatusCode.OK : HttpStatusCode.NotModified, response.StatusCode);
        Assert.True(response.Headers.CacheControl is { Private: true, NoCache: true }, $"Cache-Control: {response.Headers.CacheControl}");
        var tag = response.Headers.ETag!.Tag;
        if (changed) Assert.NotEqual(etag, tag);
        else if (etag is not null) Assert.Equal(etag, tag);
        return tag;
    }

    private async Task RevalidatedAs(string url, string etag, HttpStatusCode expected) =>
        Assert.Equal(expected, (await ConditionalAsync(Acme, url, etag)).StatusCode);

    private static async Task<HttpResponseMessage> ConditionalAsync(HttpClient client, string url, string etag, string? prefer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        if (prefer is not null) request.Headers.Add("Prefer", prefer);
        return await client.SendAsync(request);
    }

    private async Task<string> PostWithKeyAsync(string title, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, HttpAssertions.ProductionTests(AcmeBank)) { Content = JsonContent.Create(new { title }) };
        request.Headers.Add("Idempotency-Key", key);
        var body = await (await Acme.SendAsync(request)).ShouldBeJson(HttpStatusCode.Created);
        return body.GetProperty("id").GetString()!;
    }

    private static async Task<string> CreateAsync(HttpClient client, string app, string title) =>
        (await (await client.CreateProductionTest(app, new { title })).ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;

    private static string RequestId(JsonElement item) => item.GetProperty("request").GetProperty("id").GetString()!;

    private static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values)) return null;
        var link = values.Single();
        Assert.Matches("^<[^>]+>; rel=\"next\"$", link);
        return link[1..link.IndexOf('>')];
    }

    private Task<OutcomeWriter.Result> RecordAsync(OutcomeWriter.Outcome outcome) =>
        Platform.Sandbox.Services.GetRequiredService<OutcomeWriter>().RecordAsync(outcome, CancellationToken.None);

    private async Task ScheduleAsync(string id, string app)
    {
        var challenge = new ChallengeSnapshot($"chl_{Guid.NewGuid():N}", "t", null, DateTimeOffset.UtcNow.AddDays(30), DateTimeOffset.UtcNow, null, true, "first_come", "Host", ["bankidse"]);
        var result = await RecordAsync(new(id, app, new ChallengeScheduled(id, app, WorkspaceOf(app), challenge.Id, challenge, DateTimeOffset.UtcNow)));
        Assert.IsType<OutcomeWriter.Result.Recorded>(result);
    }

    private async Task FailAsync(string id, string app) =>
        Assert.IsType<OutcomeWriter.Result.Recorded>(await RecordAsync(Failed(id, app)));

    private static OutcomeWriter.Outcome Failed(string id, string app) =>
        new(id, app, new ChallengeFailed(id, app, WorkspaceOf(app), "CHALLENGE_REFUSED", "Refused", DateTimeOffset.UtcNow));

    private static string WorkspaceOf(string app) => app == GlobexPay ? "ws_globex" : "ws_acme";
}
