using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProductionTests.WebhookReceiver;

/// <summary>What a receiver got: one line per delivery that reached it.</summary>
/// <param name="Verified">The signature matched one of the receiver's secrets and its timestamp was within 300 s.</param>
/// <param name="SignedWith">How many of the receiver's secrets the header carries a valid signature for.</param>
public sealed record Received(DateTimeOffset ReceivedAt, bool Verified, int SignedWith, string? EventId, string? Event, DateTimeOffset? Timestamp,
    long? StreamVersion, string? RequestId, string Signature, string Body, int Answered);

/// <summary>A receiver's settings: its secrets, and how it misbehaves (status, delay, a huge answer).</summary>
public sealed record ReceiverSettings(IReadOnlyList<string>? Secrets = null, int Status = 200, int DelayMs = 0, int AnswerBytes = 0);

/// <summary>
/// A webhook receiver for tests and demos, in the stub family: POST /hooks/{name} verifies the signature
/// (<see cref="WebhookVerifier"/>) against the secrets given to that receiver, records what it got, and
/// answers 200 (401 when the signature does not verify), or as its settings say. Memory only.
/// </summary>
public static class WebhookReceiverApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Receivers>();
        builder.Services.AddHealthChecks();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapHealthChecks("/health/live");

        app.MapPost("/hooks/{name}", async (string name, HttpRequest request, Receivers receivers, TimeProvider clock, CancellationToken ct) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            var body = buffer.ToArray();
            var now = clock.GetUtcNow();
            var settings = receivers.Settings(name);
            var header = request.Headers[WebhookVerifier.SignatureHeader].ToString();
            var signedWith = (settings.Secrets ?? []).Count(s => WebhookVerifier.Verify(s, header, body, now));
            if (settings.DelayMs > 0) await Task.Delay(settings.DelayMs, ct);
            var status = signedWith > 0 ? settings.Status : 401;
            receivers.Record(name, Describe(now, signedWith, header, body, status));
            if (settings.AnswerBytes > 0 && signedWith > 0)
            {
                request.HttpContext.Response.StatusCode = status;
                var chunk = new byte[64 * 1024];
                for (var sent = 0; sent < settings.AnswerBytes; sent += chunk.Length) await request.HttpContext.Response.Body.WriteAsync(chunk, ct);
                return Results.Empty;
            }
            return Results.StatusCode(status);
        });

        app.MapPut("/admin/receivers/{name}", (string name, ReceiverSettings settings, Receivers receivers) =>
        {
            receivers.Configure(name, settings);
            return Results.NoContent();
        });
        app.MapGet("/admin/receivers/{name}/deliveries", (string name, Receivers receivers) => Results.Ok(receivers.Of(name)));
        app.MapGet("/admin/receivers/{name}/summary", (string name, Receivers receivers) =>
        {
            var got = receivers.Of(name);
            var verified = got.Where(g => g.Verified).ToList();
            var latencies = verified.Where(g => g.Timestamp is not null).Select(g => (g.ReceivedAt - g.Timestamp!.Value).TotalMilliseconds).Order().ToList();
            return Results.Ok(new
            {
                received = got.Count,
                verified = verified.Count,
                rejected = got.Count - verified.Count,
                events = verified.Select(g => g.EventId).Distinct().Count(),
                duplicates = verified.Count - verified.Select(g => g.EventId).Distinct().Count(),
                latencyMsP50 = Percentile(latencies, 0.50),
                latencyMsP99 = Percentile(latencies, 0.99),
                latencyMsMax = latencies.Count == 0 ? 0 : latencies[^1],
            });
        });
        return app;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static Received Describe(DateTimeOffset now, int signedWith, string header, byte[] body, int status)
    {
        var text = System.Text.Encoding.UTF8.GetString(body);
        try
        {
            var json = JsonNode.Parse(text);
            return new Received(now, signedWith > 0, signedWith, json?["eventId"]?.GetValue<string>(), json?["event"]?.GetValue<string>(),
                json?["timestamp"] is { } t ? DateTimeOffset.Parse(t.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : null,
                json?["data"]?["streamVersion"]?.GetValue<long>(), json?["data"]?["requestId"]?.GetValue<string>(), header, text, status);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return new Received(now, signedWith > 0, signedWith, null, null, null, null, null, header, text, status);
        }
    }
}

public sealed class Receivers
{
    private readonly ConcurrentDictionary<string, ReceiverSettings> _settings = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Received>> _received = new();

    public ReceiverSettings Settings(string name) => _settings.GetValueOrDefault(name) ?? new ReceiverSettings();
    public void Configure(string name, ReceiverSettings settings) => _settings[name] = settings;
    public void Record(string name, Received received) => _received.GetOrAdd(name, _ => new()).Enqueue(received);
    public IReadOnlyList<Received> Of(string name) => _received.TryGetValue(name, out var q) ? q.ToArray() : [];
}
