using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using ProductionTests.IntegrationTests.Infrastructure;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Create;
using Xunit.Abstractions;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// A platform of its own for <see cref="AbuseTests"/>: with the relay off nothing it accepts is ever
/// published or scheduled (on the shared platform the relay publishes every event committed to its
/// database, whichever instance wrote it, and the thousand-odd requests would load the scheduler and
/// fill the shared lists). Requests go to an instance with a limit too high to reach, so the flood
/// measures validation rather than the limiter, while the limiter still partitions every odd
/// Authorization header; and every log line is kept, to show no key ever reaches the log.
/// </summary>
public sealed class AbusePlatform : IAsyncLifetime
{
    public TestPlatform Platform { get; private set; } = null!;
    public ConfiguredApi Api { get; private set; } = null!;
    public LogCapture Log { get; } = new();

    public async Task InitializeAsync()
    {
        Platform = await TestPlatform.StartAsync(relay: false);
        Api = new ConfiguredApi(Platform, new() { ["RateLimit:PermitsPerSecond"] = "1000000", ["RateLimit:Burst"] = "1000000" }, Log);
        _ = Api.Server;
    }

    public async Task DisposeAsync()
    {
        if (Api is not null) await Api.DisposeAsync();
        if (Platform is not null) await Platform.DisposeAsync();
    }
}

/// <summary>
/// Generative: thousands of POSTs with random bodies and headers (seeded, so every run sends the same).
/// Each answer is checked against an oracle written from the README's rules: never a 5xx, a 2xx only
/// for a request that is in fact valid (and then 201 with the text as sent), every refusal
/// problem+json, and the store grows by exactly the requests created.
/// </summary>
public sealed class AbuseTests(AbusePlatform platform, ITestOutputHelper output) : IClassFixture<AbusePlatform>
{
    /// <summary>
    /// On this 2-core machine 3000 took 11 s alone but 75 s amid the whole suite; 2000 keeps it under a minute there.
    /// </summary>
    private const int Cases = 2000;
    private const int Seed = 20261126;
    private static readonly string Url = HttpAssertions.ProductionTests(AcmeBank);
    private static readonly Regex AnyWellFormedKey = new(@"sk_workspace_(test|prod)_[A-Za-z0-9]{16}", RegexOptions.Compiled);

    [Fact]
    public async Task Thousands_of_random_bodies_and_headers_never_get_a_5xx_and_store_exactly_what_was_accepted()
    {
        var store = platform.Platform.Store;
        var server = platform.Api.Server;
        var generator = new Generator(new Random(Seed));
        var firstBodyOfKey = new Dictionary<string, byte[]>(StringComparer.Ordinal); // keys that created a request
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var (created, replays, validSent) = (0, 0, 0);
        var before = await store.CountRequests();
        var stopwatch = Stopwatch.StartNew();

        for (var i = 0; i < Cases; i++)
        {
            var c = generator.Next();
            HttpContext answer;
            // Straight into the server (not through HttpClient, which would tidy the headers up first):
            // every header arrives exactly as generated.
            try { answer = await server.SendAsync(c.Fill); }
            catch (Exception e) { failures.Add($"#{i} threw {e.GetType().Name}: {e.Message}\n{c}"); continue; }
            var status = answer.Response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await new StreamReader(answer.Response.Body).ReadToEndAsync();
            var response = new Answer(status, answer.Response.ContentType, answer.Response.Headers.Location.ToString());
            var replayed = answer.Response.Headers.ContainsKey("Idempotency-Replayed");
            if (c.Expected == Verdict.Valid) validSent++;

            var key = c.IdempotencyKey;
            byte[]? first = null;
            var keyUsed = key is not null && firstBodyOfKey.TryGetValue(key, out first);
            string? problem;
            if (status >= 500) problem = "a 5xx";
            else if (status is >= 200 and < 300)
            {
                problem = status != 201 ? "a 2xx other than 201"
                    : c.Expected == Verdict.Invalid ? "accepted, though invalid"
                    : CheckCreated(text, response, c);
                if (problem is null && replayed && !keyUsed) problem = "a replay for a key never used";
                if (problem is null && !replayed && keyUsed) problem = "a second request created with one Idempotency-Key";
                if (problem is null)
                {
                    if (replayed) replays++;
                    else created++;
                    if (key is not null && !keyUsed) firstBodyOfKey[key] = c.Body;
                }
            }
            else
            {
                problem = CheckProblem(text, response, status);
                // A valid request is refused only when its key was used with another body.
                if (problem is null && c.Expected == Verdict.Valid
                    && !(keyUsed && status == 409 && text.Contains(ErrorCodes.IdempotencyKeyConflict) && !first!.AsSpan().SequenceEqual(c.Body)))
                    problem = "refused, though valid";
            }

            if (problem is not null && failures.Count < 25)
                failures.Add($"#{i}: {problem}: {status} {Clip(text, 600)}\n{c}");
        }

        stopwatch.Stop();
        var after = await store.CountRequests();
        output.WriteLine($"{Cases} requests in {stopwatch.Elapsed.TotalSeconds:F1} s; statuses {string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}"))}; " +
                         $"valid sent {validSent}, created {created}, replays {replays}; stored {before} -> {after}");
        foreach (var line in platform.Log.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).Take(3))
            output.WriteLine(Clip(line, 4000));

        Assert.True(failures.Count == 0, $"{failures.Count} failures (at most 25 shown):\n\n{string.Join("\n\n", failures)}");
        Assert.Equal(before + created, after);
        Assert.True(created > Cases / 10, $"only {created} requests created: the generator hardly sends valid ones");
        Assert.True(replays > 0, "no Idempotency-Key replay was exercised");
        platform.Log.AssertNeverContains(AcmeKey, AcmeProdKey, GlobexKey);
        platform.Log.AssertNeverMatches(AnyWellFormedKey);
    }

    [Fact]
    public async Task No_log_line_contains_a_key_or_the_Authorization_header()
    {
        var secrets = new[] { AcmeKey, AcmeProdKey, GlobexKey, "sk_workspace_test_unknownKey00000000000001", "not-a-key-3b1f0c7a9e", "dXNlcjpzM2NyM3Q=" };
        var authorizations = new[]
        {
            $"Bearer {AcmeKey}", $"bearer {AcmeKey}", $"Bearer {AcmeProdKey}", $"Bearer {GlobexKey}", $"Bearer {secrets[3]}",
            $"Bearer {secrets[4]}", $"Basic {secrets[5]}", AcmeKey, $"Bearer {AcmeKey}x",
        };
        var client = platform.Api.CreateClient();
        foreach (var authorization in authorizations)
        {
            foreach (var request in new[]
            {
                new HttpRequestMessage(HttpMethod.Get, Url),
                new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent("""{"title":"Logged?"}""", Encoding.UTF8, "application/json") },
                new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent("""{"title":""", Encoding.UTF8, "application/json") },
                new HttpRequestMessage(HttpMethod.Get, $"{Url}/req_{Guid.Empty}"),
                new HttpRequestMessage(HttpMethod.Delete, Url),
            })
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
                using var response = await client.SendAsync(request);
                Assert.True((int)response.StatusCode < 500, $"{authorization}: {(int)response.StatusCode}");
            }
        }

        platform.Log.AssertNeverContains(secrets);
        platform.Log.AssertNeverMatches(AnyWellFormedKey);
        Assert.Contains(platform.Log.Lines, l => l.Contains("Request starting", StringComparison.Ordinal)); // the capture sees the framework's lines
    }

    private sealed record Answer(int Status, string? ContentType, string Location)
    {
        public string? MediaType => ContentType?.Split(';')[0].Trim();
    }

    /// <summary>Found by the generative test: PostgreSQL refuses text with NUL, so such an id must be refused before any look-up.</summary>
    [Theory]
    [InlineData("""{"title":"NUL in a provider id","providerIds":["\u0000"]}""")]
    [InlineData("""{"title":"NUL in a provider id","providerIds":["bankidse\u0000"]}""")]
    public async Task A_provider_id_with_a_NUL_character_is_refused_not_a_500(string body)
    {
        var count = await platform.Platform.Store.CountRequests();

        var response = await platform.Api.ClientWithKey(AcmeKey).PostJson(Url, body);

        await response.ShouldBeProblem(HttpStatusCode.BadRequest, "VALIDATION_INVALID_PARAMETER");
        Assert.Equal(count, await platform.Platform.Store.CountRequests());
    }

    private static string? CheckCreated(string text, Answer response, Case c)
    {
        if (response.MediaType != "application/json") return "a 201 that is not application/json";
        if (!response.Location.StartsWith(Url + "/req_", StringComparison.Ordinal)) return "a 201 without its Location";
        JsonElement created;
        try { created = JsonDocument.Parse(text).RootElement; }
        catch (JsonException) { return "a 201 that is not JSON"; }
        if (created.GetProperty("id").GetString() is not { } id || !id.StartsWith("req_", StringComparison.Ordinal)) return "a 201 without an id";
        if (created.GetProperty("status").GetString() != "pending") return "a 201 that is not pending";
        if (c.Title is not null && created.GetProperty("payload").GetProperty("title").GetString() != c.Title) return "the title was not stored as sent";
        return null;
    }

    private static string? CheckProblem(string text, Answer response, int status)
    {
        if (response.MediaType != "application/problem+json") return "a refusal that is not problem+json";
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            if (problem.GetProperty("status").GetInt32() != status) return "a problem whose status differs";
            var code = problem.GetProperty("title").GetString() ?? "";
            if (!ErrorCodes.All.Contains(code)) return "a problem whose title is not one of the README's codes";
            if (status is 405 or 413 or 415 or 429 && code != ErrorCodes.ForStatus(status)) return "a framework status without its own code";
            if (string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString())) return "a problem without detail";
            if (!Regex.IsMatch(problem.GetProperty("traceId").GetString() ?? "", "^[0-9a-f]{32}$")) return "a problem without its traceId";
            return null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"a malformed problem ({e.Message})";
        }
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length] + $"... ({text.Length} chars)";

    public enum Verdict { Valid, Invalid, Either }

    /// <summary>One generated request and what the contract says of it.</summary>
    public sealed record Case(byte[] Body, string? ContentType, string[] Authorization, string[]? IdempotencyKeys, Verdict Expected, string? Title)
    {
        /// <summary>The one well-formed Idempotency-Key, when there is exactly one.</summary>
        public string? IdempotencyKey => IdempotencyKeys is [var key] && Generator.IsValidIdempotencyKey(key) ? key : null;

        /// <summary>Writes the request into the server's context, headers exactly as generated.</summary>
        public void Fill(HttpContext http)
        {
            http.Request.Method = HttpMethods.Post;
            http.Request.Path = Url;
            if (ContentType is not null) http.Request.Headers.ContentType = ContentType;
            if (Authorization.Length > 0) http.Request.Headers.Authorization = new StringValues(Authorization);
            if (IdempotencyKeys is not null) http.Request.Headers["Idempotency-Key"] = new StringValues(IdempotencyKeys);
            http.Request.ContentLength = Body.Length;
            http.Request.Body = new MemoryStream(Body, writable: false);
        }

        public override string ToString() =>
            $"  expected {Expected}; Content-Type: {Show(ContentType)}; Authorization: [{string.Join(" | ", Authorization.Select(a => Show(a)))}]; " +
            $"Idempotency-Key: {(IdempotencyKeys is null ? "(none)" : $"[{string.Join(" | ", IdempotencyKeys.Select(k => Show(k)))}]")}\n" +
            $"  body ({Body.Length} bytes): {Show(Encoding.UTF8.GetString(Body), 800)}";

        private static string Show(string? text, int length = 120) =>
            text is null ? "(none)" : JsonSerializer.Serialize(Clip(text, length));
    }

    /// <summary>The generator of requests, and the oracle that judges them from the README's rules.</summary>
    public sealed class Generator(Random random)
    {
        private static readonly string[] Eligible = ["bankidse", "smartid", "mitid"];
        private static readonly string[] Refused = ["beid", "freja", "bankidno", "unknown", "BANKIDSE", "bankidse ", "", "\u0000", "bankidse\u0000", "\u202Ebankidse", "🔑"];
        private static readonly string[] Fields = ["title", "description", "providerIds", "targetPlatform", "maxStamps", "allowDuplicateParticipation"];

        /// <summary>One grapheme each: letters, RTL, combining accents, emoji with modifiers and joiners, format characters.</summary>
        private static readonly string[] Graphemes =
        [
            "a", "Z", "7", " ", "-", "é", "e\u0301", "ß", "ש", "ע", "ب", "ل", "中", "文", "😀", "👍🏽", "👨‍👩‍👧", "🇸🇪", "\u200F", "\u202E",
            "\u2066", "\u00A0", "\u200B", "\uFFFD", "𝔘", "\"", "\\", "/", "<", "'", "\u2028", "ÿ", "Ω",
        ];

        private static readonly string[] GoodContentTypes =
        [
            "application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", "APPLICATION/JSON",
            "application/problem+json", "application/vnd.acme.request+json",
        ];

        private static readonly string[] BadContentTypes =
        [
            "", "text/plain", "text/json", "application/xml", "application/json; charset=latin1", "application/json; charset=utf-16",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "*/*", "application/jsonp", "json", "application/",
            "/json", "ä/ö", "application/json\u00e9", "application/" + new string('x', 3000), "text/json+xml",
        ];

        private static readonly string[] EitherContentTypes = ["application/json; foo=bar", "application/json; charset=\"utf-8\"", "application/json; charset="];

        private static readonly string[] Numbers =
        [
            "0", "-1", "1", "3", "2147483647", "2147483648", "-2147483648", "1e400", "-1e400", "99999999999999999999", "1.5", "5.0", "5e0",
            "1E2", "0.0000001", "-0", "1e-400", "123456789012345678901234567890", "0.1e1",
        ];

        private static readonly string[] NotJsonNumbers = ["01", "+1", ".5", "NaN", "Infinity", "1.", "0x10", "1e", "--1"];

        private readonly List<(string Key, byte[] Body, string? Title)> _validKeysSent = [];

        public Case Next()
        {
            // Now and then: a well-formed key used before, with the same body (a retry) or another valid body.
            if (_validKeysSent.Count > 0 && random.Next(100) < 8)
            {
                var (key, body, title) = _validKeysSent[random.Next(_validKeysSent.Count)];
                if (random.Next(2) == 0) return new(body, "application/json", [$"Bearer {AcmeKey}"], [key], Verdict.Valid, title);
                var (other, otherTitle) = CleanBody();
                return new(other, "application/json", [$"Bearer {AcmeKey}"], [key], Judge(other, out _), otherTitle);
            }

            var (bytes, bodyVerdict, judgedTitle) = Body();
            var (contentType, contentTypeVerdict) = ContentType();
            var (authorization, authorizationVerdict) = Authorization();
            var (keys, keyVerdict) = IdempotencyKeys();
            var verdict = Combine(bodyVerdict, contentTypeVerdict, authorizationVerdict, keyVerdict);
            if (verdict == Verdict.Valid && keys is [var used]) _validKeysSent.Add((used, bytes, judgedTitle));
            return new(bytes, contentType, authorization, keys, verdict, judgedTitle);
        }

        private static Verdict Combine(params Verdict[] verdicts) =>
            verdicts.Contains(Verdict.Invalid) ? Verdict.Invalid : verdicts.Contains(Verdict.Either) ? Verdict.Either : Verdict.Valid;

        private (byte[] Body, Verdict Verdict, string? Title) Body()
        {
            var roll = random.Next(100);
            byte[] body = roll switch
            {
                < 30 => CleanBody().Body,
                < 48 => Encoding.UTF8.GetBytes(OneFieldWrong()),
                < 65 => Encoding.UTF8.GetBytes(MutatedObject()),
                < 72 => Encoding.UTF8.GetBytes(RandomValue(3)),
                < 80 => Truncated(random.Next(2) == 0 ? CleanBody().Body : Encoding.UTF8.GetBytes(MutatedObject())),
                < 85 => Encoding.UTF8.GetBytes(DeeplyNested()),
                < 89 => RandomBytes(),
                < 92 => Encoding.UTF8.GetBytes(random.Next(3) switch { 0 => "", 1 => " \n\t", _ => "null" }),
                < 96 => Encoding.UTF8.GetBytes(DuplicateMembers()),
                _ => Encoding.UTF8.GetBytes(AlmostJson()),
            };
            return (body, Judge(body, out var title), title);
        }

        /// <summary>A body within every rule (the oracle still judges it).</summary>
        private (byte[] Body, string? Title) CleanBody()
        {
            var members = new List<(string, string)> { ("title", JsonString(ValidText(1, 200, allowLineBreaks: false))) };
            if (random.Next(2) == 0) members.Add(("description", random.Next(5) == 0 ? "null" : JsonString(ValidText(0, 1000, allowLineBreaks: true))));
            if (random.Next(2) == 0) members.Add(("providerIds", "[" + string.Join(",", Eligible.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).Select(p => JsonString(p))) + "]"));
            if (random.Next(2) == 0) members.Add(("targetPlatform", random.Next(3) switch { 0 => "\"ios\"", 1 => "\"android\"", _ => "null" }));
            if (random.Next(2) == 0) members.Add(("maxStamps", random.Next(4) switch { 0 => "1", 1 => "2147483647", _ => random.Next(1, 1000).ToString(CultureInfo.InvariantCulture) }));
            if (random.Next(2) == 0) members.Add(("allowDuplicateParticipation", random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" }));
            var body = Encoding.UTF8.GetBytes(JsonObject(members));
            Judge(body, out var title);
            return (body, title);
        }

        /// <summary>A valid body but for one member: a field with a wrong or odd value, or a member that is not a field.</summary>
        private string OneFieldWrong()
        {
            var members = new List<(string Name, string Value)> { ("title", JsonString(ValidText(1, 200, allowLineBreaks: false))) };
            foreach (var field in Fields.Skip(1))
                if (random.Next(3) == 0) members.Add((field, ValidValue(field)));
            var wrong = random.Next(Fields.Length + 1);
            if (wrong == Fields.Length) members.Add((Pick(["Title", "maxStamp", "", "\u0000", "тема"]), RandomValue(1)));
            else
            {
                members.RemoveAll(m => m.Name == Fields[wrong]);
                members.Add((Fields[wrong], random.Next(2) == 0 ? ValidValue(Fields[wrong]) : RandomValue(2)));
            }
            return JsonObject(members);
        }

        /// <summary>The known fields, each with a valid value or a random one of any type; now and then a member that is not a field.</summary>
        private string MutatedObject()
        {
            var members = new List<(string, string)>();
            foreach (var field in Fields)
            {
                if (random.Next(100) < (field == "title" ? 85 : 45))
                    members.Add((field, random.Next(3) == 0 ? ValidValue(field) : RandomValue(2)));
            }
            if (random.Next(4) == 0)
                members.Add((Pick(["Title", "maxStamp", "", "providerids", "title ", "\u0000", "тема", "😀", "__proto__", new string('k', random.Next(1, 3000))]), RandomValue(1)));
            return JsonObject(members);
        }

        private string ValidValue(string field) => field switch
        {
            "title" => JsonString(ValidText(1, 200, allowLineBreaks: false)),
            "description" => JsonString(ValidText(0, 1000, allowLineBreaks: true)),
            "providerIds" => "[" + string.Join(",", Eligible.Concat(random.Next(3) == 0 ? [Pick(Refused)] : []).OrderBy(_ => random.Next()).Take(random.Next(0, 5)).Select(p => JsonString(p))) + "]",
            "targetPlatform" => Pick(["\"ios\"", "\"android\"", "\"IOS\"", "\"windows\"", "null"]),
            "maxStamps" => Pick(Numbers),
            _ => Pick(["true", "false", "null", "\"true\"", "1"]),
        };

        /// <summary>Any JSON value (or not quite): strings of every kind, numbers huge and odd, literals, arrays, objects.</summary>
        private string RandomValue(int depth)
        {
            var roll = random.Next(depth > 0 ? 100 : 70);
            return roll switch
            {
                < 30 => RandomJsonString(),
                < 45 => Pick(Numbers),
                < 48 => Pick(NotJsonNumbers),
                < 56 => Pick(["true", "false", "null", "True", "nil", "undefined"]),
                < 63 => JsonString(ValidText(0, random.Next(2) == 0 ? 210 : 1100, allowLineBreaks: random.Next(2) == 0)),
                < 70 => random.Next(4) == 0 ? DeepValue(random.Next(30, 10_000)) : "{}",
                < 85 => "[" + string.Join(Ws() + "," + Ws(), Enumerable.Range(0, random.Next(0, 6)).Select(_ => RandomValue(depth - 1))) + "]",
                _ => JsonObject(Enumerable.Range(0, random.Next(0, 5)).Select(_ => (Pick(Fields.Concat(["a", "", "\u00e9"]).ToArray()), RandomValue(depth - 1))).ToList()),
            };
        }

        /// <summary>A string token of 0 to 5000 pieces: text, escapes, lone surrogates, NUL, controls, RTL, emoji; rarely not valid JSON.</summary>
        private string RandomJsonString()
        {
            var length = random.Next(10) switch { < 5 => random.Next(0, 12), < 7 => random.Next(190, 215), < 9 => random.Next(0, 1100), _ => random.Next(0, 5001) };
            var text = new StringBuilder("\"");
            for (var i = 0; i < length; i++)
            {
                text.Append(random.Next(100) switch
                {
                    < 40 => ((char)random.Next(0x20, 0x7F)) switch { '"' => "\\\"", '\\' => "\\\\", var c => c.ToString() },
                    < 55 => Pick(Graphemes).Replace("\\", "\\\\").Replace("\"", "\\\""),
                    < 60 => "\\u0000",
                    < 64 => Pick(["\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ude00\\ud83d", "\\uD83D"]),
                    < 68 => "\\ud83d\\ude00",
                    < 74 => Pick(["\\n", "\\t", "\\r", "\\b", "\\f", "\\/", "\\u001f", "\\u007f", "\u007f", "\\u0085", "\\u2028"]),
                    < 78 => Pick(["\uFFFE", "\uFFFF", "\uFDD0", "\u0300", "\u0645\u0631\u062D\u0628\u0627", "\u05E9\u05DC\u05D5\u05DD"]),
                    < 79 => Pick(["\u0001", "\n", "\t"]), // raw control: not valid JSON
                    < 80 => Pick(["\\x", "\\u12", "\\U0041", "\\"]), // bad escape: not valid JSON
                    _ => "\\u" + random.Next(0x20, 0xD800).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture),
                });
            }
            return text.Append('"').ToString();
        }

        /// <summary>Text of whole graphemes, minLength to maxLength of them (sometimes a little over), never only spaces.</summary>
        private string ValidText(int minLength, int maxLength, bool allowLineBreaks)
        {
            var count = random.Next(4) == 0 ? Math.Min(maxLength, minLength + random.Next(0, 3)) : random.Next(minLength, maxLength + 1);
            if (random.Next(12) == 0) count = maxLength + random.Next(1, 4); // just over the limit
            var text = new StringBuilder();
            for (var i = 0; i < count; i++)
                text.Append(allowLineBreaks && random.Next(20) == 0 ? Pick(["\n", "\r\n", "\t"]) : Pick(Graphemes));
            if (count > 0 && string.IsNullOrWhiteSpace(text.ToString())) text.Append('x');
            return text.ToString();
        }

        /// <summary>A JSON string token for the text, with some characters (pairs kept together) written as \u escapes.</summary>
        private string JsonString(string text)
        {
            var json = new StringBuilder("\"");
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && random.Next(6) == 0)
                {
                    json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}\\u{(int)text[++i]:X4}");
                    continue;
                }
                json.Append(c switch
                {
                    '"' => "\\\"",
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    < ' ' => $"\\u{(int)c:x4}",
                    _ when !char.IsSurrogate(c) && random.Next(12) == 0 => $"\\u{(int)c:X4}",
                    _ => c.ToString(),
                });
            }
            return json.Append('"').ToString();
        }

        private string JsonObject(List<(string Name, string Value)> members)
        {
            var ordered = members.OrderBy(_ => random.Next()).Select(m => Ws() + NameToken(m.Name) + Ws() + ":" + Ws() + m.Value + Ws());
            return Ws() + "{" + string.Join(",", ordered) + "}" + Ws();
        }

        /// <summary>A member name; a field's name is sometimes written with escapes (still that field).</summary>
        private string NameToken(string name) =>
            name == "title" && random.Next(8) == 0 ? "\"t\\u0069tle\"" : JsonString(name);

        private string Ws() => random.Next(6) switch { 0 => " ", 1 => "\n  ", 2 => "\t", 3 => "\r\n", _ => "" };

        private string DeeplyNested()
        {
            var depth = random.Next(4) == 0 ? random.Next(9_000, 10_001) : random.Next(20, 200);
            return random.Next(3) switch
            {
                0 => new string('[', depth) + new string(']', depth),
                1 => "{\"title\":\"Deep\",\"description\":" + DeepValue(depth) + "}",
                _ => "{\"title\":\"Deep\",\"providerIds\":" + new string('[', depth) + "\"bankidse\"" + new string(']', depth) + "}",
            };
        }

        private string DeepValue(int depth) =>
            random.Next(2) == 0
                ? new string('[', depth) + "1" + new string(']', depth)
                : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "null" + new string('}', depth);

        private string DuplicateMembers()
        {
            var title = JsonString(ValidText(1, 50, allowLineBreaks: false));
            return Pick([
                $"{{\"title\":{title},\"title\":{title}}}",
                $"{{\"title\":{title},\"maxStamps\":2,\"maxStamps\":3}}",
                $"{{\"title\":{title},\"t\\u0069tle\":{title}}}",
                $"{{\"title\":{title},\"providerIds\":[\"bankidse\"],\"providerIds\":null}}",
            ]);
        }

        private string AlmostJson()
        {
            var title = JsonString(ValidText(1, 20, allowLineBreaks: false));
            return Pick([
                $"{{\"title\":{title},}}", $"{{\"title\":{title}}} {{}}", $"{{/* c */\"title\":{title}}}", $"{{'title':{title}}}", $"{{title:{title}}}",
                $"{{\"title\":{title}}}\u0000", $"\uFEFF{{\"title\":{title}}}", $"{{\"title\"\u00A0:{title}}}", $"[{{\"title\":{title}}}]", $"{{\"title\":{title}}}\n",
            ]);
        }

        private byte[] Truncated(byte[] body) => body.Length <= 1 ? [] : body[..random.Next(1, body.Length)];

        private byte[] RandomBytes()
        {
            var bytes = new byte[random.Next(1, 5001)];
            random.NextBytes(bytes);
            if (random.Next(2) == 0) bytes[0] = (byte)'{';
            return bytes;
        }

        private (string? Value, Verdict Verdict) ContentType()
        {
            var roll = random.Next(100);
            if (roll < 86) return (Pick(GoodContentTypes), Verdict.Valid);
            if (roll < 88) return (Pick(EitherContentTypes), Verdict.Either);
            if (roll < 92) return (null, Verdict.Invalid);
            return (Pick(BadContentTypes), Verdict.Invalid);
        }

        private (string[] Values, Verdict Verdict) Authorization()
        {
            var roll = random.Next(100);
            if (roll < 80) return ([$"Bearer {AcmeKey}"], Verdict.Valid);
            if (roll < 86) return ([Pick([$"bearer {AcmeKey}", $"BEARER {AcmeKey}", $"Bearer   {AcmeKey}", $"Bearer {AcmeKey}  "])], Verdict.Valid);
            if (roll < 88) return ([$"Bearer {AcmeKey}", $"Bearer {AcmeKey}"], Verdict.Either);
            if (roll < 90) return ([], Verdict.Invalid);
            var value = random.Next(14) switch
            {
                0 => "",
                1 => "Bearer",
                2 => "Bearer ",
                3 => "Basic dXNlcjpwYXNz",
                4 => $"Bearer {AcmeProdKey}",
                5 => $"Bearer {GlobexKey}",
                6 => $"Bearer {AcmeKey}x",
                7 => $"Bearer {AcmeKey.ToUpperInvariant()}",
                8 => $"Token {AcmeKey}",
                9 => $"Bearer\t{AcmeKey}",
                10 => AcmeKey,
                11 => $"Bearer {AcmeKey}\u0000",
                12 => "Bearer sk_workspace_test_" + new string(Enumerable.Range(0, random.Next(16, 129)).Select(_ => (char)random.Next('a', 'z' + 1)).ToArray()),
                _ => "Bearer " + Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(RandomJsonString().Trim('"'))).Replace("\n", "").Replace("\r", ""),
            };
            return ([value], Verdict.Invalid);
        }

        private (string[]? Values, Verdict Verdict) IdempotencyKeys()
        {
            var roll = random.Next(100);
            if (roll < 60) return (null, Verdict.Valid);
            if (roll < 85)
            {
                var length = random.Next(4) switch { 0 => 1, 1 => 255, _ => random.Next(1, 256) };
                var key = new string(Enumerable.Range(0, length).Select(i => (char)(i == 0 || i == length - 1 ? random.Next('!', '~' + 1) : random.Next(' ', '~' + 1))).ToArray());
                return ([key], Verdict.Valid);
            }
            return (random.Next(8) switch
            {
                0 => [""],
                1 => [new string('k', random.Next(256, 5001))],
                2 => ["ключ-" + random.Next()],
                3 => ["🔑" + random.Next()],
                4 => ["tab\tkey"],
                5 => ["nul\u0000key"],
                6 => ["one", "two"],
                _ => ["é" + new string('a', random.Next(0, 300))],
            }, Verdict.Invalid);
        }

        private T Pick<T>(T[] items) => items[random.Next(items.Length)];

        public static bool IsValidIdempotencyKey(string key) => key.Length is >= 1 and <= 255 && key.All(c => c is >= ' ' and <= '~');

        /// <summary>
        /// The oracle: the README's rules for the create body, applied to the bytes sent. Valid, Invalid,
        /// or Either where the contract leaves room (a BOM; a whole number written as 5.0 or 5e0).
        /// </summary>
        public static Verdict Judge(byte[] body, out string? title)
        {
            title = null;
            if (body.Length == 0) return Verdict.Invalid;
            try { _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body); }
            catch (DecoderFallbackException) { return Verdict.Invalid; }
            if (body is [0xEF, 0xBB, 0xBF, ..]) return Verdict.Either;
            JsonDocument document;
            // Depth: no valid body nests deeper than 2, so any limit from 2 up judges alike.
            try { document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 64 }); }
            catch (JsonException) { return Verdict.Invalid; }
            using var parsed = document;
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Verdict.Invalid;
            if (root.EnumerateObject().Any(m => !Fields.Contains(m.Name))) return Verdict.Invalid;

            var verdict = Verdict.Valid;
            bool Present(string name, out JsonElement value) => root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
            static string? Text(JsonElement value)
            {
                if (value.ValueKind != JsonValueKind.String) return null;
                try { return value.GetString(); }
                catch (InvalidOperationException) { return null; } // a lone surrogate
            }
            // JSON Schema's maxLength counts code points; "visible" is the validation's own rule (TextRulesTests pins it to the schema's pattern).
            static int CodePoints(string text) => text.EnumerateRunes().Count();

            if (!Present("title", out var titleValue) || Text(titleValue) is not { } titleText) return Verdict.Invalid;
            if (CodePoints(titleText) is < 1 or > 200 || !TextRules.HasVisibleCharacter(titleText) || titleText.Any(char.IsControl)) return Verdict.Invalid;
            title = titleText;

            if (Present("description", out var description))
            {
                if (Text(description) is not { } text || CodePoints(text) > 1000 || text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
                    return Verdict.Invalid;
            }
            if (Present("providerIds", out var providers))
            {
                if (providers.ValueKind != JsonValueKind.Array) return Verdict.Invalid;
                var ids = providers.EnumerateArray().Select(Text).ToList();
                if (ids.Count is < 1 or > 100 || ids.Any(id => id is null || !Eligible.Contains(id)) || ids.Distinct().Count() != ids.Count)
                    return Verdict.Invalid;
            }
            if (Present("targetPlatform", out var platform) && Text(platform) is not ("ios" or "android")) return Verdict.Invalid;
            if (Present("maxStamps", out var maxStamps))
            {
                if (maxStamps.ValueKind != JsonValueKind.Number) return Verdict.Invalid;
                var raw = maxStamps.GetRawText();
                if (Regex.IsMatch(raw, @"^[0-9]+\z"))
                {
                    if (BigInteger.Parse(raw, CultureInfo.InvariantCulture) is var n && (n < 1 || n > int.MaxValue)) return Verdict.Invalid;
                }
                // A whole number written with a zero fraction or an exponent (5.0, 5e0) is that number.
                else if (!(decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var whole) && whole == decimal.Truncate(whole) && whole is >= 1 and <= int.MaxValue))
                    return Verdict.Invalid;
            }
            if (Present("allowDuplicateParticipation", out var allow) && allow.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return Verdict.Invalid;
            return verdict;
        }
    }
}
