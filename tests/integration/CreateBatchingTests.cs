using System.Net;
using System.Net.Http.Json;
using Marten;
using Npgsql;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;
using ProductionTests.RequestsApi.Events;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// Concurrent creates are committed together (CreateWriter). These tests hold the writer's first commit
/// behind a table lock so that the requests sent meanwhile queue up and are committed as one batch.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class CreateBatchingTests(ApiFixture api) : IAsyncLifetime
{
    private readonly LogCapture _log = new();
    private ConfiguredApi _api = null!;

    public Task InitializeAsync()
    {
        _api = new ConfiguredApi(api.Platform, new(), _log);
        _ = _api.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_create_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_committed()
    {
        var marker = $"refused-{Guid.NewGuid():N}";
        var trigger = $"refuse_{marker.Replace('-', '_')}";
        await ExecuteAsync($"""
            CREATE FUNCTION production_tests.{trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.data::text LIKE '%{marker}%' THEN RAISE EXCEPTION 'refused by the test'; END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER {trigger} BEFORE INSERT ON production_tests.mt_events FOR EACH ROW EXECUTE FUNCTION production_tests.{trigger}();
            """);
        try
        {
            var client = _api.ClientWithKey(AcmeKey);
            var titles = Enumerable.Range(0, 12).Select(i => i == 5 ? marker : $"batch neighbour {i} {marker[9..]}").ToList();

            var responses = await WhileTheWriterIsHeldAsync(() => titles.Select(t => client.CreateProductionTest(AcmeBank, new { title = t })).ToList());

            for (var i = 0; i < titles.Count; i++)
            {
                if (i == 5) await responses[i].ShouldBeProblem(HttpStatusCode.InternalServerError, "SYSTEM_INTERNAL_ERROR");
                else
                {
                    var id = (await responses[i].ShouldBeJson(HttpStatusCode.Created)).GetProperty("id").GetString()!;
                    await using var session = api.Store.QuerySession();
                    Assert.Equal(titles[i], (await session.LoadAsync<ChallengeRequestView>(id))!.Payload.Title);
                }
            }
            Assert.Contains(_log.Lines, l => l.Contains("committing them one at a time"));
            Assert.Equal(0, await CountAsync($"SELECT count(*) FROM production_tests.mt_events WHERE data::text LIKE '%{marker}%' AND data::text NOT LIKE '%neighbour%'"));
        }
        finally
        {
            await ExecuteAsync($"DROP TRIGGER {trigger} ON production_tests.mt_events; DROP FUNCTION production_tests.{trigger}();");
        }
    }

    [Fact]
    public async Task The_same_key_twice_in_one_batch_creates_one_request()
    {
        var client = _api.ClientWithKey(AcmeKey);
        var key = $"batch-{Guid.NewGuid():N}";
        var before = await api.Store.CountRequests();

        var responses = await WhileTheWriterIsHeldAsync(() => Enumerable.Range(0, 3).Select(_ => PostWithKey(client, key)).ToList());

        var keyed = responses;
        var created = Assert.Single(keyed, r => r.StatusCode == HttpStatusCode.Created && !r.Headers.Contains("Idempotency-Replayed"));
        foreach (var other in keyed.Where(r => r != created))
        {
            // In the same batch: in progress. Should one have come after the batch, it is the first answer replayed.
            if (other.StatusCode == HttpStatusCode.Created) Assert.Equal(await created.Content.ReadAsStringAsync(), await other.Content.ReadAsStringAsync());
            else await other.ShouldBeProblem(HttpStatusCode.Conflict, "IDEMPOTENCY_REQUEST_IN_PROGRESS");
        }
        Assert.Contains(keyed, r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal(before + 2, await api.Store.CountRequests());

        var retry = await PostWithKey(client, key);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.True(retry.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(await created.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_key_held_by_another_instance_is_in_progress_there_and_replayed_once_committed()
    {
        var key = $"two-instances-{Guid.NewGuid():N}";
        var before = await api.Store.CountRequests();
        var here = api.Sandbox.ClientWithKey(AcmeKey);

        // The other instance's commit is held (its key locked, its records read) while this one is asked.
        HttpResponseMessage meanwhile = null!;
        var created = await WhileACreateIsHeldAsync(() => PostWithKey(_api.ClientWithKey(AcmeKey), key), async () => meanwhile = await PostWithKey(here, key));

        await meanwhile.ShouldBeProblem(HttpStatusCode.Conflict, "IDEMPOTENCY_REQUEST_IN_PROGRESS");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var retry = await PostWithKey(here, key);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.True(retry.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(await created.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(before + 1, await api.Store.CountRequests());
    }

    private static Task<HttpResponseMessage> PostWithKey(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, HttpAssertions.ProductionTests(AcmeBank))
        {
            Content = JsonContent.Create(new { title = "Same key in one batch" }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    /// <summary>
    /// A first create is sent while a lock on the view table holds its commit; the requests sent then
    /// queue behind it. The lock is released once they had time to arrive. Returns the responses to <paramref name="send"/>'s requests.
    /// </summary>
    private async Task<List<HttpResponseMessage>> WhileTheWriterIsHeldAsync(Func<List<Task<HttpResponseMessage>>> send)
    {
        List<Task<HttpResponseMessage>> rest = [];
        var first = await WhileACreateIsHeldAsync(() => _api.ClientWithKey(AcmeKey).CreateProductionTest(AcmeBank, new { title = "Holds the writer" }), async () =>
        {
            rest = send();
            await Task.Delay(TimeSpan.FromSeconds(1));
        });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        return [.. await Task.WhenAll(rest)];
    }

    /// <summary>
    /// Sends <paramref name="create"/> while a lock on the view table holds its commit (its keys already locked and
    /// their records read), runs <paramref name="meanwhile"/>, then lets the commit go; returns the create's response.
    /// </summary>
    private async Task<HttpResponseMessage> WhileACreateIsHeldAsync(Func<Task<HttpResponseMessage>> create, Func<Task> meanwhile)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE production_tests.mt_doc_challengerequestview IN EXCLUSIVE MODE", connection, transaction))
            await lockTable.ExecuteNonQueryAsync();

        var held = create();
        await Eventually.HoldsAsync(async () => await CountAsync("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'production_tests.mt_doc_challengerequestview'::regclass") > 0,
            TimeSpan.FromSeconds(20), "the create to wait for the lock");
        await meanwhile();
        await transaction.RollbackAsync();
        return await held;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
