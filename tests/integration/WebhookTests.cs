extern alias receiver;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.RequestsApi.Webhooks;
using YamlDotNet.Serialization;
using WebhookVerifier = receiver::ProductionTests.WebhookReceiver.WebhookVerifier;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// Signed webhooks end to end: requests-api (its intake and dispatcher) on real PostgreSQL and RabbitMQ,
/// the scheduler and tpas-stub, and services/webhook-receiver on a real port. Each test has an app of its own.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WebhookTests(ApiFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly object Body = new { title = "Webhook test", providerIds = new[] { "bankidse" } };
    private ReceiverHost _receiver = null!;
    private readonly HttpClient _api = fixture.Sandbox.ClientWithKey(TestData.TestsKey);

    public async Task InitializeAsync() => _receiver = await ReceiverHost.StartAsync();
    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static string App(int n) => TestData.WebhookApps[n - 1];
    private static string Config(string app) => $"/connect/v1/apps/{app}/webhook-config";
    private static string Deliveries(string app) => $"/connect/v1/apps/{app}/webhook-deliveries";

    private async Task<string> SubscribeAsync(string app, string url, params string[] eventTypes)
    {
        var response = await _api.PatchAsJsonAsync(Config(app), new { url, enabled = true, eventTypes = eventTypes.Length > 0 ? eventTypes : WebhookEventTypes.All.ToArray() });
        var config = await response.ShouldBeJson(HttpStatusCode.OK);
        return config.GetProperty("signingSecret").GetString()!;
    }

    private async Task<string> CreateAsync(string app)
    {
        var created = await (await _api.CreateProductionTest(app, Body)).ShouldBeJson(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    private async Task<List<JsonElement>> DeliveriesAsync(string app, string? status = null) =>
        (await _api.GetFromJsonAsync<List<JsonElement>>(Deliveries(app) + (status is null ? "" : $"?status={status}")))!;

    private async Task<List<JsonElement>> WaitForVerifiedAsync(string name, int count, Func<JsonElement, bool>? which = null)
    {
        List<JsonElement> got = [];
        await Eventually.HoldsAsync(async () =>
        {
            got = (await _receiver.ReceivedAsync(name)).Where(r => r.GetProperty("verified").GetBoolean() && (which?.Invoke(r) ?? true)).ToList();
            return got.Count >= count;
        }, Patience, $"{count} verified deliveries at receiver {name}");
        return got;
    }

    [Fact]
    public async Task Queued_deliveries_are_notified_to_every_instance_s_dispatcher_with_the_sequence_they_reach()
    {
        var app = App(16);
        await SubscribeAsync(app, _receiver.Hook("notified"));
        await using var listener = new NpgsqlConnection(fixture.ConnectionString);
        await listener.OpenAsync();
        var sequences = new System.Collections.Concurrent.ConcurrentQueue<long>();
        listener.Notification += (_, e) => sequences.Enqueue(long.Parse(e.Payload, System.Globalization.CultureInfo.InvariantCulture));
        await using (var listen = new NpgsqlCommand($"LISTEN {WebhookDispatchSignal.Channel}", listener)) await listen.ExecuteNonQueryAsync();

        var id = await CreateAsync(app);
        var events = await _api.GetFromJsonAsync<List<JsonElement>>($"/connect/v1/apps/{app}/production-tests/{id}/events");
        var requested = events![0].GetProperty("sequence").GetInt64();

        // Npgsql raises notifications while the connection waits for them.
        await Eventually.HoldsAsync(async () =>
        {
            await listener.WaitAsync(TimeSpan.FromMilliseconds(200));
            return sequences.Any(s => s >= requested);
        }, Patience, $"a notification reaching sequence {requested}");
        Assert.Contains(sequences, s => s >= requested);
    }

    /// <summary>The delivery rows of one request, straight from the table: (event type, event id, stream version, sequence).</summary>
    private async Task<List<(string Type, Guid EventId, long Version, long Sequence)>> RowsAsync(string app, string requestId)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT event_type, event_id, stream_version, sequence FROM {WebhookDeliveries.Table}
            WHERE client_id = @app AND stream_id = @id ORDER BY stream_version
            """, connection);
        command.Parameters.AddWithValue("app", app);
        command.Parameters.AddWithValue("id", requestId);
        var rows = new List<(string, Guid, long, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetInt64(3)));
        return rows;
    }

    [Fact]
    public async Task A_delivery_is_queued_in_its_event_s_transaction_for_the_types_an_enabled_webhook_wants()
    {
        var all = App(17);
        var scheduledOnly = App(18);
        var disabled = App(19);
        await SubscribeAsync(all, _receiver.Hook("queued"));
        await SubscribeAsync(scheduledOnly, _receiver.Hook("queued"), WebhookEventTypes.Scheduled);
        await SubscribeAsync(disabled, _receiver.Hook("queued"));
        await (await _api.PatchAsJsonAsync(Config(disabled), new { enabled = false })).ShouldBeJson(HttpStatusCode.OK);

        // Read at once, without waiting: the row was committed with the event.
        var first = await CreateAsync(all);
        var requested = Assert.Single(await RowsAsync(all, first));
        var second = await CreateAsync(scheduledOnly);
        Assert.Empty(await RowsAsync(scheduledOnly, second));
        var third = await CreateAsync(disabled);
        Assert.Empty(await RowsAsync(disabled, third));

        // Once a request shows its outcome, its outcome's row is there too: same transaction.
        await SchedulingTests.WaitForStatusAsync(_api, all, first, "scheduled");
        await SchedulingTests.WaitForStatusAsync(_api, scheduledOnly, second, "scheduled");
        await SchedulingTests.WaitForStatusAsync(_api, disabled, third, "scheduled");
        await using var session = fixture.Store.QuerySession();
        foreach (var (app, id, types) in new[] { (all, first, new[] { WebhookEventTypes.Requested, WebhookEventTypes.Scheduled }), (scheduledOnly, second, [WebhookEventTypes.Scheduled]), (disabled, third, []) })
        {
            var rows = await RowsAsync(app, id);
            Assert.Equal(types, rows.Select(r => r.Type));
            var stored = await session.Events.FetchStreamAsync(id);
            foreach (var row in rows)
            {
                var @event = stored.Single(e => e.Version == row.Version);
                Assert.Equal((@event.Id, @event.Sequence), (row.EventId, row.Sequence));
            }
        }
        Assert.Equal(1, requested.Version);
    }

    [Fact]
    public async Task Finished_deliveries_past_their_retention_go_with_their_attempts_and_pending_ones_stay()
    {
        var app = App(12);
        var secret = await SubscribeAsync(app, _receiver.Hook("purge"));
        await _receiver.ConfigureAsync("purge", new { secrets = new[] { secret } });
        var old = await CreateAsync(app);
        var recent = await CreateAsync(app);
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app, "delivered")).Count == 4, Patience, "four deliveries delivered");

        // The first request's two deliveries made 31 days old; one of them back to pending (as if still being retried).
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        async Task<long> ExecuteAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("app", app);
            command.Parameters.AddWithValue("old", old);
            return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
        }
        await ExecuteAsync($"UPDATE {WebhookDeliveries.Table} SET created_at = now() - interval '31 days' WHERE client_id = @app AND stream_id = @old");
        await ExecuteAsync($"""
            UPDATE {WebhookDeliveries.Table} SET status = 'pending', next_attempt_at = now() + interval '1 day'
            WHERE client_id = @app AND stream_id = @old AND stream_version = 2
            """);

        var purged = await fixture.Sandbox.Services.GetRequiredService<WebhookDeliveryPurge>().PurgeFinishedAsync(CancellationToken.None);

        Assert.True(purged >= 1);
        var left = await DeliveriesAsync(app);
        Assert.Equal(3, left.Count);
        Assert.DoesNotContain(left, d => d.GetProperty("requestId").GetString() == old && d.GetProperty("streamVersion").GetInt64() == 1);
        Assert.Contains(left, d => d.GetProperty("requestId").GetString() == old && d.GetProperty("status").GetString() == "pending");
        Assert.Equal(2, left.Count(d => d.GetProperty("requestId").GetString() == recent));
        Assert.Equal(0, await ExecuteAsync($"""
            SELECT count(*) FROM {WebhookDeliveries.Attempts} a
            WHERE NOT EXISTS (SELECT 1 FROM {WebhookDeliveries.Table} d WHERE d.id = a.delivery_id)
            """));
        Assert.Equal(1, await ExecuteAsync($"SELECT count(*) FROM {WebhookDeliveries.Attempts} a JOIN {WebhookDeliveries.Table} d ON d.id = a.delivery_id WHERE d.client_id = @app AND d.stream_id = @old"));
    }

    [Fact]
    public async Task Configuration_issues_a_secret_once_and_every_change_is_an_event()
    {
        var app = App(1);
        var before = await (await _api.GetAsync(Config(app))).ShouldBeJson(HttpStatusCode.OK);
        Assert.False(before.GetProperty("enabled").GetBoolean());
        Assert.False(before.TryGetProperty("url", out _));

        var secret = await SubscribeAsync(app, _receiver.Hook("c1"), WebhookEventTypes.Scheduled);
        Assert.StartsWith("whsec_", secret);
        var read = await (await _api.GetAsync(Config(app))).ShouldBeJson(HttpStatusCode.OK);
        Assert.False(read.TryGetProperty("signingSecret", out _));
        Assert.Equal([WebhookEventTypes.Scheduled], read.GetProperty("eventTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith("whs_", read.GetProperty("secret").GetProperty("id").GetString());

        var disabled = await (await _api.PatchAsJsonAsync(Config(app), new { enabled = false })).ShouldBeJson(HttpStatusCode.OK);
        Assert.False(disabled.TryGetProperty("signingSecret", out _)); // a change that needs no new secret shows none
        Assert.Equal(_receiver.Hook("c1"), disabled.GetProperty("url").GetString());

        await using var session = fixture.Store.QuerySession();
        var history = await session.Events.FetchStreamAsync(WebhookConfigView.StreamId(app));
        Assert.Equal(["webhook_configured", "webhook_secret_issued", "webhook_configured"], history.Select(e => e.EventTypeName));

        // Sealed at rest: neither the events nor the view hold the secret in clear.
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM production_tests.mt_events WHERE strpos(data::text, @s) > 0)
                 + (SELECT count(*) FROM production_tests.mt_doc_webhookconfigview WHERE strpos(data::text, @s) > 0)
            """, connection);
        command.Parameters.AddWithValue("s", secret["whsec_".Length..]);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);

        await (await fixture.Sandbox.ClientWithKey(TestData.AcmeKey).GetAsync(Config(app))).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await _api.PatchAsJsonAsync(Config(app), new { eventTypes = new[] { "production_test.cancelled" } })).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
        await (await _api.PatchAsJsonAsync(Config(app), new { colour = "blue" })).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
    }

    [Fact]
    public async Task Deliveries_are_signed_byte_for_byte_carry_the_stored_event_ids_and_match_the_documented_envelope()
    {
        var app = App(2);
        var secret = await SubscribeAsync(app, _receiver.Hook("sign"));
        await _receiver.ConfigureAsync("sign", new { secrets = new[] { secret } });
        var id = await CreateAsync(app);

        var got = await WaitForVerifiedAsync("sign", 2, r => r.GetProperty("requestId").GetString() == id);
        await using var session = fixture.Store.QuerySession();
        var stored = await session.Events.FetchStreamAsync(id);
        var schema = EnvelopeSchema.Value;
        foreach (var delivery in got)
        {
            var body = delivery.GetProperty("body").GetString()!;
            var header = delivery.GetProperty("signature").GetString()!;
            var t = long.Parse(header.Split(',')[0]["t=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}")));
            Assert.Equal($"t={t},v1={expected}", header);

            var envelope = JsonNode.Parse(body)!;
            var version = envelope["data"]!["streamVersion"]!.GetValue<long>();
            var @event = stored.Single(e => e.Version == version);
            Assert.Equal(@event.Id.ToString(), envelope["eventId"]!.GetValue<string>());
            // The stored event's timestamp, written as the API writes times (UTC, milliseconds: the database formats it).
            Assert.Equal(@event.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
                envelope["timestamp"]!.GetValue<string>());
            Assert.Equal(app, envelope["clientId"]!.GetValue<string>());
            Assert.Equal("v1", envelope["apiVersion"]!.GetValue<string>());
            Assert.Equal(version == 1 ? WebhookEventTypes.Requested : WebhookEventTypes.Scheduled, envelope["event"]!.GetValue<string>());
            Assert.Equal(version == 1 ? "pending" : "scheduled", envelope["data"]!["request"]!["status"]!.GetValue<string>());
            if (version == 2) Assert.Equal(envelope["data"]!["request"]!["challengeId"]!.GetValue<string>(), envelope["data"]!["challenge"]!["id"]!.GetValue<string>());

            var evaluation = schema.Evaluate(JsonDocument.Parse(body).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
            Assert.True(evaluation.IsValid, $"docs/asyncapi.yaml's WebhookEnvelope refuses a real delivery: {JsonSerializer.Serialize(evaluation)}");
            Assert.True(WebhookVerifier.Verify(secret, header, Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow));
            Assert.False(WebhookVerifier.Verify(secret, header, Encoding.UTF8.GetBytes(body + " "), DateTimeOffset.UtcNow));
            Assert.False(WebhookVerifier.Verify(secret, header, Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow.AddSeconds(301)));
            await NodeSnippetVerifiesAsync(secret, header, body);
        }
    }

    [Fact]
    public async Task Answers_other_than_2xx_are_retried_after_the_schedule_s_pauses()
    {
        var app = App(3);
        var secret = await SubscribeAsync(app, _receiver.Hook("retry"), WebhookEventTypes.Requested);
        await _receiver.ConfigureAsync("retry", new { secrets = new[] { secret }, status = 503 });
        var id = await CreateAsync(app);
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app)).Any(d => d.GetProperty("attempts").GetInt32() >= 3), Patience, "three attempts");
        await _receiver.ConfigureAsync("retry", new { secrets = new[] { secret } });
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app, "delivered")).Count == 1, Patience, "the delivery");

        var delivery = (await DeliveriesAsync(app)).Single();
        Assert.Equal(id, delivery.GetProperty("requestId").GetString());
        var attempts = delivery.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal(delivery.GetProperty("attempts").GetInt32(), attempts.Count);
        Assert.All(attempts.SkipLast(1), a => Assert.Equal(("http_error", 503), (a.GetProperty("outcome").GetString(), a.GetProperty("statusCode").GetInt32())));
        Assert.Equal(("delivered", 200), (attempts[^1].GetProperty("outcome").GetString(), attempts[^1].GetProperty("statusCode").GetInt32()));
        for (var k = 0; k + 1 < attempts.Count; k++)
        {
            // Each pause is at least the schedule's: the next attempt starts no earlier than the previous one ended plus the pause.
            var ended = attempts[k].GetProperty("startedAt").GetDateTimeOffset().AddMilliseconds(attempts[k].GetProperty("durationMs").GetDouble() - 1);
            var next = attempts[k + 1].GetProperty("startedAt").GetDateTimeOffset();
            Assert.True(next - ended >= TestWebhooks.RetryDelayList[k], $"attempt {k + 2} started {(next - ended).TotalMilliseconds} ms after attempt {k + 1} ended; the schedule says {TestWebhooks.RetryDelayList[k].TotalMilliseconds} ms");
        }
        Assert.Equal(1, (await _receiver.ReceivedAsync("retry")).Count(r => r.GetProperty("answered").GetInt32() == 200));
    }

    [Fact]
    public async Task A_timeout_is_retried_and_counted_as_ambiguous_so_a_duplicate_it_causes_is_accounted_for()
    {
        var app = App(4);
        var secret = await SubscribeAsync(app, _receiver.Hook("slowly"), WebhookEventTypes.Requested);
        await _receiver.ConfigureAsync("slowly", new { secrets = new[] { secret }, delayMs = 3000 }); // the tests' timeout is 2 s
        await CreateAsync(app);
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app)).Any(d => d.GetProperty("attemptLog").EnumerateArray().Any(a => a.GetProperty("outcome").GetString() == "timeout")), Patience, "a timed-out attempt");
        await _receiver.ConfigureAsync("slowly", new { secrets = new[] { secret } });
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app, "delivered")).Count == 1, Patience, "the delivery");

        var delivery = (await DeliveriesAsync(app)).Single();
        var timeouts = delivery.GetProperty("attemptLog").EnumerateArray().Where(a => a.GetProperty("outcome").GetString() == "timeout").ToList();
        Assert.All(timeouts, a => Assert.True(a.GetProperty("ambiguous").GetBoolean()));
        var ambiguous = delivery.GetProperty("ambiguousAttempts").GetInt32();
        Assert.True(ambiguous >= timeouts.Count);
        // The receiver may have taken the timed-out attempts too (it answered late): never more duplicates than ambiguous attempts.
        await Task.Delay(3500); // let a late answer of the last timed-out attempt land at the receiver (not an assertion on time)
        var received = (await _receiver.ReceivedAsync("slowly")).Count(r => r.GetProperty("verified").GetBoolean());
        Assert.InRange(received - 1, 0, ambiguous);
    }

    [Fact]
    public async Task A_receiver_down_for_a_while_then_back_gets_every_event_once()
    {
        var app = App(5);
        var port = ReceiverHost.FreePort();
        var secret = await SubscribeAsync(app, $"http://127.0.0.1:{port}/hooks/down");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await CreateAsync(app));
        await Eventually.HoldsAsync(async () =>
        {
            var deliveries = await DeliveriesAsync(app);
            return deliveries.Count == 10 && deliveries.All(d => d.GetProperty("attemptLog").EnumerateArray().Any(a => a.GetProperty("outcome").GetString() == "connection_failed"));
        }, Patience, "every delivery to have failed to connect");

        await using var back = await ReceiverHost.StartAsync(port);
        await back.ConfigureAsync("down", new { secrets = new[] { secret } });
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app, "delivered")).Count == 10, Patience, "all ten delivered");

        var got = (await back.ReceivedAsync("down")).Where(r => r.GetProperty("verified").GetBoolean()).ToList();
        var ambiguous = (await DeliveriesAsync(app)).Sum(d => d.GetProperty("ambiguousAttempts").GetInt32());
        Assert.Equal(10, got.Select(r => r.GetProperty("eventId").GetString()).Distinct().Count());
        Assert.InRange(got.Count - 10, 0, ambiguous);
        Assert.Equal(ids.Order(), got.Select(r => r.GetProperty("requestId").GetString()!).Distinct().Order());
    }

    /// <summary>The Sandbox and Production instances of the platform each run a dispatcher, with a pause state of its own.</summary>
    private IEnumerable<WebhookDestinationPauses> Dispatchers =>
        [fixture.Sandbox.Services.GetRequiredService<WebhookDestinationPauses>(), fixture.Production.Services.GetRequiredService<WebhookDestinationPauses>()];

    private async Task<(long Attempts, TimeSpan Since)> AttemptRowsAsync(string app)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT count(*), COALESCE(extract(epoch FROM now() - min(a.started_at)), 0)::float8
            FROM {WebhookDeliveries.Attempts} a JOIN {WebhookDeliveries.Table} d ON d.id = a.delivery_id WHERE d.client_id = @app
            """, connection);
        command.Parameters.AddWithValue("app", app);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), TimeSpan.FromSeconds(reader.GetDouble(1)));
    }

    [Fact]
    public async Task A_dead_receiver_is_paused_while_another_app_goes_on_and_once_back_gets_every_event_once()
    {
        var dead = App(13);
        var healthy = App(14);
        var port = ReceiverHost.FreePort();
        var deadSecret = await SubscribeAsync(dead, $"http://127.0.0.1:{port}/hooks/dead", WebhookEventTypes.Requested);
        var healthySecret = await SubscribeAsync(healthy, _receiver.Hook("alive"), WebhookEventTypes.Requested);
        await _receiver.ConfigureAsync("alive", new { secrets = new[] { healthySecret } });
        const int backlog = 40;
        for (var i = 0; i < backlog; i++) await CreateAsync(dead);
        await Eventually.HoldsAsync(() => Task.FromResult(Dispatchers.All(d => d.IsPaused(dead))), Patience, "every dispatcher to pause the dead app");

        for (var i = 0; i < 3; i++) await CreateAsync(healthy);
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(healthy, "delivered")).Count == 3, Patience, "the healthy app's deliveries");
        Assert.All(await DeliveriesAsync(healthy), d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
        await Task.Delay(TimeSpan.FromSeconds(4)); // a window in which retries every second would attempt each of the 40 several times (not an assertion on time)

        // Each dispatcher: the failures that paused it and the attempts already in flight then, and after that one probe per pause at most.
        var (attempts, since) = await AttemptRowsAsync(dead);
        var perDispatcher = TestWebhooks.PauseAfterFailures + 8 + 1 + (int)(since / TestWebhooks.ShortestPause);
        Assert.InRange(attempts, TestWebhooks.PauseAfterFailures, Dispatchers.Count() * perDispatcher);
        var waiting = await DeliveriesAsync(dead, "pending");
        Assert.Equal(backlog, waiting.Count);
        Assert.Contains(waiting, d => d.GetProperty("attempts").GetInt32() == 0); // held back without spending an attempt

        await using var back = await ReceiverHost.StartAsync(port);
        await back.ConfigureAsync("dead", new { secrets = new[] { deadSecret } });
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(dead, "delivered")).Count == backlog, Patience, "the whole backlog delivered");
        var got = (await back.ReceivedAsync("dead")).Where(r => r.GetProperty("verified").GetBoolean()).ToList();
        var ambiguous = (await DeliveriesAsync(dead)).Sum(d => d.GetProperty("ambiguousAttempts").GetInt32());
        Assert.Equal(backlog, got.Select(r => r.GetProperty("eventId").GetString()).Distinct().Count());
        Assert.InRange(got.Count - backlog, 0, ambiguous);
    }

    [Fact]
    public async Task Pending_deliveries_past_the_maximum_age_are_given_up_attempted_or_not_and_can_be_redelivered()
    {
        var app = App(15);
        var secret = await SubscribeAsync(app, _receiver.Hook("aged"), WebhookEventTypes.Requested);
        await _receiver.ConfigureAsync("aged", new { secrets = new[] { secret }, status = 503 });
        const int backlog = 40;
        for (var i = 0; i < backlog; i++) await CreateAsync(app);
        // Paused everywhere, so some deliveries wait without an attempt.
        await Eventually.HoldsAsync(async () => Dispatchers.All(d => d.IsPaused(app)) && (await DeliveriesAsync(app, "pending")).Count == backlog,
            Patience, "every dispatcher to pause the app with its backlog queued");

        await using (var connection = new NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"UPDATE {WebhookDeliveries.Table} SET created_at = now() - interval '13 hours' WHERE client_id = @app", connection);
            command.Parameters.AddWithValue("app", app);
            await command.ExecuteNonQueryAsync();
        }
        var purge = fixture.Sandbox.Services.GetRequiredService<WebhookDeliveryPurge>();
        Assert.InRange(await purge.ExpirePendingAsync(CancellationToken.None), 1, int.MaxValue); // other tests' old rows may go too

        var failed = await DeliveriesAsync(app, "failed");
        var expired = failed.Count;
        Assert.InRange(expired, backlog - Dispatchers.Count(), backlog); // a probe in flight is left to end
        Assert.All(failed, d =>
        {
            Assert.StartsWith("expired: not delivered within 12 h", d.GetProperty("lastError").GetString());
            Assert.False(d.TryGetProperty("nextAttemptAt", out _));
        });
        var unattempted = failed.First(d => d.GetProperty("attempts").GetInt32() == 0);
        Assert.Equal(0, unattempted.GetProperty("attemptLog").GetArrayLength());

        await _receiver.ConfigureAsync("aged", new { secrets = new[] { secret } });
        var id = unattempted.GetProperty("id").GetString();
        var redelivered = await (await _api.PostAsync($"{Deliveries(app)}/{id}/redeliver", null)).ShouldBeJson(HttpStatusCode.Accepted);
        Assert.Equal("pending", redelivered.GetProperty("status").GetString());
        await purge.ExpirePendingAsync(CancellationToken.None); // a redelivery starts the age afresh: not given up again
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app, "delivered")).Any(d => d.GetProperty("id").GetString() == id), Patience, "the redelivery");
        var delivered = (await DeliveriesAsync(app, "delivered")).Single(d => d.GetProperty("id").GetString() == id);
        Assert.Equal("delivered", delivered.GetProperty("attemptLog").EnumerateArray().Single().GetProperty("outcome").GetString());
        Assert.True((await DeliveriesAsync(app, "failed")).Count >= expired - 1); // the others stay given up
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_sign_each_delivery_during_the_grace_period()
    {
        var app = App(6);
        var old = await SubscribeAsync(app, _receiver.Hook("rotate"), WebhookEventTypes.Requested);
        var rotated = await (await _api.PostAsync(Config(app) + "/rotate-secret", null)).ShouldBeJson(HttpStatusCode.OK);
        var fresh = rotated.GetProperty("signingSecret").GetString()!;
        Assert.NotEqual(old, fresh);
        Assert.True(rotated.GetProperty("secret").GetProperty("previousSecretValidUntil").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(23));
        await _receiver.ConfigureAsync("rotate", new { secrets = new[] { old, fresh } });
        await Task.Delay(1100); // the dispatcher reads configurations at most once a second (not an assertion)
        await CreateAsync(app);

        var delivery = (await WaitForVerifiedAsync("rotate", 1)).First();
        Assert.Equal(2, delivery.GetProperty("signedWith").GetInt32());
        var header = delivery.GetProperty("signature").GetString()!;
        var body = Encoding.UTF8.GetBytes(delivery.GetProperty("body").GetString()!);
        Assert.Equal(3, header.Split(',').Length);
        Assert.True(WebhookVerifier.Verify(old, header, body, DateTimeOffset.UtcNow));
        Assert.True(WebhookVerifier.Verify(fresh, header, body, DateTimeOffset.UtcNow));
        Assert.False(WebhookVerifier.Verify(SecretBox.NewSecret(), header, body, DateTimeOffset.UtcNow));
    }

    public static TheoryData<string> ForbiddenUrls => new(
        "https://127.0.0.1/hook", "https://127.8.9.10/hook", "https://localhost/hook", "https://[::1]/hook",
        "https://10.1.2.3/hook", "https://172.16.0.1/hook", "https://172.31.255.254/hook", "https://192.168.0.10/hook", "https://[fd12:3456::1]/hook", "https://100.64.0.1/hook",
        "https://169.254.10.1/hook", "https://[fe80::1]/hook",
        "https://169.254.169.254/latest/meta-data/", "https://100.100.100.200/hook", "https://[fd00:ec2::254]/hook",
        "https://0.0.0.0/hook", "https://[::]/hook", "https://[::ffff:10.0.0.1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://[64:ff9b::a9fe:a9fe]/hook",
        "https://2130706433/hook", "https://0x7f.0.0.1/hook", "https://224.0.0.1/hook", "https://255.255.255.255/hook",
        "http://93.184.215.14/hook", "ftp://93.184.215.14/hook", "https://user:secret@93.184.215.14/hook", "/relative/hook", "https://nothing.invalid/hook");

    private static ApiFactory? _strict;

    [Theory]
    [MemberData(nameof(ForbiddenUrls))]
    public async Task Urls_to_forbidden_addresses_are_refused_when_configured(string url)
    {
        // An instance without the development allowance (http to loopback), and no dispatcher of its own.
        _strict ??= fixture.Platform.NewApi(settings: new Dictionary<string, string> { ["Webhooks:AllowInsecureLoopback"] = "false", ["Webhooks:DispatcherEnabled"] = "false" });
        var client = _strict.ClientWithKey(TestData.TestsKey);
        var problem = await (await client.PatchAsJsonAsync(Config(App(7)), new { url, enabled = true })).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
        Assert.Equal("url", problem.GetProperty("context").GetProperty("field").GetString());
        var config = await (await client.GetAsync(Config(App(7)))).ShouldBeJson(HttpStatusCode.OK);
        Assert.False(config.TryGetProperty("url", out _));
    }

    [Fact]
    public async Task A_name_that_resolves_to_a_private_address_at_delivery_time_is_not_connected_to()
    {
        var app = App(8);
        TestWebhooks.Resolver.Answers["hooks.rebind.test"] = [IPAddress.Parse("93.184.215.14")];
        await SubscribeAsync(app, "https://hooks.rebind.test/hook", WebhookEventTypes.Requested);
        TestWebhooks.Resolver.Answers["hooks.rebind.test"] = [IPAddress.Parse("10.0.0.7")];
        await CreateAsync(app);
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app)).Any(d => d.GetProperty("attemptLog").EnumerateArray().Any(a => a.GetProperty("outcome").GetString() == "refused_address")), Patience, "a refused attempt");
        var attempt = (await DeliveriesAsync(app)).Single().GetProperty("attemptLog")[0];
        Assert.Contains("10.0.0.7", attempt.GetProperty("error").GetString());
        await _api.PatchAsJsonAsync(Config(app), new { enabled = false });
    }

    [Fact]
    public async Task A_slow_receiver_holds_back_only_its_own_deliveries_and_a_huge_answer_is_not_read()
    {
        var slowApp = App(9);
        var fastApp = App(10);
        var slowSecret = await SubscribeAsync(slowApp, _receiver.Hook("slow"), WebhookEventTypes.Requested);
        var fastSecret = await SubscribeAsync(fastApp, _receiver.Hook("huge"), WebhookEventTypes.Requested);
        await _receiver.ConfigureAsync("slow", new { secrets = new[] { slowSecret }, delayMs = 5000 }); // past the tests' 2 s timeout
        await _receiver.ConfigureAsync("huge", new { secrets = new[] { fastSecret }, answerBytes = 64 * 1024 * 1024 });
        for (var i = 0; i < 24; i++) await CreateAsync(slowApp);
        await CreateAsync(fastApp);

        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(fastApp, "delivered")).Count == 1, Patience, "the other app's delivery");
        // The slow receiver never answers in time, so its 24 deliveries are all still pending, 8 at a time, when the other app's is done.
        Assert.Equal(24, (await DeliveriesAsync(slowApp, "pending")).Count);
        var attempt = (await DeliveriesAsync(fastApp)).Single().GetProperty("attemptLog").EnumerateArray().Single();
        Assert.Equal("delivered", attempt.GetProperty("outcome").GetString());
        await _receiver.ConfigureAsync("slow", new { secrets = new[] { slowSecret } });
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(slowApp, "delivered")).Count == 24, Patience, "the slow app's deliveries, once it answers");
    }

    [Fact]
    public async Task A_delivery_given_up_is_listed_as_failed_and_can_be_redelivered()
    {
        var app = App(11);
        var secret = await SubscribeAsync(app, _receiver.Hook("gone"), WebhookEventTypes.Requested);
        await _receiver.ConfigureAsync("gone", new { secrets = new[] { secret }, status = 500 });
        await CreateAsync(app);
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app, "failed")).Count == 1, Patience, "the delivery to be given up");
        var failed = (await DeliveriesAsync(app, "failed")).Single();
        Assert.Equal(TestWebhooks.RetryDelayList.Length + 1, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(500, failed.GetProperty("lastStatusCode").GetInt32());

        await _receiver.ConfigureAsync("gone", new { secrets = new[] { secret } });
        var redelivered = await (await _api.PostAsync($"{Deliveries(app)}/{failed.GetProperty("id").GetString()}/redeliver", null)).ShouldBeJson(HttpStatusCode.Accepted);
        Assert.Equal("pending", redelivered.GetProperty("status").GetString());
        await Eventually.HoldsAsync(async () => (await DeliveriesAsync(app, "delivered")).Count == 1, Patience, "the redelivery");
        await (await _api.PostAsync($"{Deliveries(app)}/{Guid.NewGuid()}/redeliver", null)).ShouldBeProblem(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND");
        await (await _api.GetAsync($"{Deliveries(app)}?status=lost")).ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
    }

    [Fact]
    public void The_docs_show_the_receiver_s_verification_code_as_it_is()
    {
        var docs = File.ReadAllText(RepositoryFiles.Path("docs/webhooks.md")).ReplaceLineEndings("\n");
        foreach (var file in new[] { "services/webhook-receiver/WebhookVerifier.cs", "docs/webhooks/verify-webhook.mjs" })
            Assert.True(docs.Contains(File.ReadAllText(RepositoryFiles.Path(file)).ReplaceLineEndings("\n").Trim(), StringComparison.Ordinal), $"docs/webhooks.md does not show {file} as it is");
    }

    /// <summary>The Node snippet of docs/webhooks.md, run on a real delivery: it must accept it, and refuse it with a body changed by one byte.</summary>
    private static async Task NodeSnippetVerifiesAsync(string secret, string header, string body)
    {
        foreach (var (sent, accepted) in new[] { (body, true), (body.Replace("\"v1\"", "\"v2\""), false) })
        {
            var file = Path.GetTempFileName();
            await File.WriteAllTextAsync(file, sent);
            var start = new ProcessStartInfo("node", [RepositoryFiles.Path("docs/webhooks/verify-webhook.mjs"), file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["WEBHOOK_SECRET"] = secret;
            start.Environment["WEBHOOK_SIGNATURE"] = header;
            using var node = Process.Start(start)!;
            var output = await node.StandardOutput.ReadToEndAsync() + await node.StandardError.ReadToEndAsync();
            await node.WaitForExitAsync();
            File.Delete(file);
            Assert.True((node.ExitCode == 0) == accepted, $"node verify-webhook.mjs exited {node.ExitCode} ({output.Trim()}), expected {(accepted ? "acceptance" : "refusal")}");
        }
    }

    /// <summary>components.schemas.WebhookEnvelope of docs/asyncapi.yaml, with the schemas it refers to, as a JSON Schema.</summary>
    private static readonly Lazy<JsonSchema> EnvelopeSchema = new(() =>
    {
        var yaml = new DeserializerBuilder().Build().Deserialize(new StringReader(File.ReadAllText(RepositoryFiles.Path("docs/asyncapi.yaml"))));
        var json = new SerializerBuilder().JsonCompatible().Build().Serialize(yaml);
        // Only the webhook's own schemas: they use no numeric or boolean keywords, which this YAML-to-JSON conversion would turn into strings.
        var schemas = new JsonObject(JsonNode.Parse(json)!["components"]!["schemas"]!.AsObject()
            .Where(s => s.Key.StartsWith("Webhook", StringComparison.Ordinal))
            .Select(s => KeyValuePair.Create<string, JsonNode?>(s.Key, s.Value!.DeepClone())));
        var text = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://production-tests.example/asyncapi-webhook-envelope",
            ["$ref"] = "#/$defs/WebhookEnvelope",
            ["$defs"] = schemas,
        }.ToJsonString().Replace("#/components/schemas/", "#/$defs/");
        return JsonSchema.FromText(text);
    });
}
