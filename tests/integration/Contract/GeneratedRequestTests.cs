using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using ProductionTests.IntegrationTests.Infrastructure;

namespace ProductionTests.IntegrationTests.Contract;

/// <summary>
/// Requests generated at random, judged by the OpenAPI document itself: a create body valid by the
/// document's schema is accepted (or refused by the documented eligibility rule), one invalid by it is
/// refused with 400, nothing answers 5xx, and every answer is checked against the document on its way
/// (<see cref="ContractCheckMiddleware"/>). CsCheck shrinks a failure to a small example.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class GeneratedRequestTests(ApiFixture api)
{
    private const string AcmeBank = "FK5b0KSM";
    private const string Key = "sk_workspace_test_acmeDemoKey0000000001";
    private const string Create = $"/connect/v1/apps/{AcmeBank}/production-tests";

    [Fact]
    public async Task Create_accepts_exactly_the_bodies_its_schema_accepts()
    {
        var schema = await api.Sandbox.Services.GetRequiredService<ContractCheck>().RequestBodySchemaAsync("post", "/connect/v1/apps/{client_id}/production-tests");
        var client = api.Sandbox.ClientWithKey(Key);

        await Bodies.SampleAsync(async body =>
        {
            var valid = schema.Evaluate(JsonDocument.Parse(body).RootElement).IsValid;
            using var response = await client.PostAsync(Create, new StringContent(body, Encoding.UTF8, "application/json"));
            var answer = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (valid)
            {
                // The one documented business rule that refuses a body valid by the schema: an ineligible provider.
                var refusedProvider = status == 400 && answer.Contains("\"providers\"", StringComparison.Ordinal);
                Assert.True(status == 201 || refusedProvider, $"valid by the schema but answered {status}: {answer}");
            }
            else
            {
                Assert.True(status == 400 && answer.Contains("\"VALIDATION_", StringComparison.Ordinal), $"invalid by the schema but answered {status}: {answer}");
            }
        }, iter: 400, threads: 2, print: body => body);
    }

    [Fact]
    public async Task Reads_with_odd_addresses_and_preferences_answer_only_documented_statuses()
    {
        var client = api.Sandbox.ClientWithKey(Key);
        var created = await client.PostAsync(Create, new StringContent("""{"title":"Generated reads"}""", Encoding.UTF8, "application/json"));
        var existing = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        // %00 cannot pass through TestServer (it refuses to build such a path); a real socket sends it in MalformedRequestTests.
        var apps = Gen.OneOf(AcmeBank, "GLx7Qp2M", "unknown", "%20", "%01", "%7F", "%E2%82%AC", new string('x', 300), "..", "a%2Fb");
        var ids = Gen.OneOf(existing, $"req_{Guid.CreateVersion7()}", "req_", "x", "chl_1", "%FF", new string('r', 1000), "req_%0A");
        var paths = Gen.Select(apps, ids, Gen.Int[0, 3]).Select((app, id, kind) => kind switch
        {
            0 => $"/connect/v1/apps/{app}/production-tests",
            1 => $"/connect/v1/apps/{app}/production-tests/{id}",
            2 => $"/connect/v1/apps/{app}/production-tests/{id}/events",
            _ => $"/connect/v1/apps/{app}/production-tests/{id}/report",
        });
        var prefers = Gen.OneOf("", "wait=0", "wait=1", "wait=abc", "wait=31", "respond-async", "wait=1, wait=2");

        await Gen.Select(paths, prefers).SampleAsync(async (path, prefer) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (prefer.Length > 0) request.Headers.TryAddWithoutValidation("Prefer", prefer);
            using var response = await client.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"GET {path} (Prefer: {prefer}) answered {(int)response.StatusCode}");
        }, iter: 150, threads: 2);
    }

    // ---- generators: raw JSON text, so that 3.0 stays 3.0. A body is valid by construction, then half of
    // them get one change that may break it (a value at or past a limit, a wrong kind, a member too many
    // or too few), so that each refusal has one cause and each limit is met from both sides. ----

    private static string Json(string text) => JsonSerializer.Serialize(text);

    private static string Repeat(string piece, int times) => string.Concat(Enumerable.Repeat(piece, times));

    private static readonly string[] Visible = ["a", "Z", "é", "日本", "\U0001F600", "e\u0301", "-", "7"];
    private static readonly string[] Invisible = [" ", "\u00A0", "\u200B", "\u3164", "\u2060", "\uFEFF"];

    private static readonly Gen<string> ValidTitle = Gen.Frequency(
        (4, Gen.Select(Gen.OneOf(Invisible).Array[0, 3], Gen.OneOf(Visible), Gen.OneOf([.. Visible, .. Invisible]).Array[0, 5],
            (before, visible, after) => string.Concat(before) + visible + string.Concat(after))),
        (1, Gen.Int[195, 200].Select(n => Repeat("a", n))),
        (1, Gen.Int[195, 200].Select(n => Repeat("\U0001F600", n))));

    private static readonly Gen<string> ValidDescription = Gen.Frequency(
        (4, Gen.OneOf([.. Visible, .. Invisible, "\n", "\r\n", "\t"]).Array[0, 12].Select(string.Concat)),
        (1, Gen.Int[995, 1000].Select(n => Repeat("x", n))));

    private static readonly Gen<string> ValidProviderIds = Gen.Shuffle(new[] { "bankidse", "smartid", "mitid" }, 1, 3)
        .Select(ids => "[" + string.Join(",", ids.Select(Json)) + "]");

    private static Gen<string?> Optional(Gen<string> value) => Gen.Frequency((1, value.Select(v => (string?)v)), (1, Gen.Const((string?)null)));

    private static readonly Gen<Dictionary<string, string>> ValidBody =
        Gen.Select(ValidTitle, Optional(ValidDescription.Select(Json)), Optional(ValidProviderIds),
                Optional(Gen.OneOf("\"ios\"", "\"android\"", "null")),
                Optional(Gen.OneOf("1", "3", "3.0", "1e2", "2147483647", "null")),
                Optional(Gen.OneOf("true", "false", "null")))
            .Select((title, description, providers, platform, maxStamps, allow) =>
            {
                var body = new Dictionary<string, string> { ["title"] = Json(title) };
                if (description is not null) body["description"] = description;
                if (providers is not null) body["providerIds"] = providers;
                if (platform is not null) body["targetPlatform"] = platform;
                if (maxStamps is not null) body["maxStamps"] = maxStamps;
                if (allow is not null) body["allowDuplicateParticipation"] = allow;
                return body;
            });

    /// <summary>One change: (member, new raw value), null to remove the member.</summary>
    private static readonly Gen<(string Member, string? Value)> Change = Gen.OneOf(
        Gen.Int[201, 203].Select(n => ("title", (string?)Json(Repeat("a", n)))),
        Gen.Int[201, 203].Select(n => ("title", (string?)Json(Repeat("\U0001F600", n)))),
        Gen.OneOf(Invisible).Array[0, 4].Select(t => ("title", (string?)Json(string.Concat(t)))),
        Gen.OneOf("a\nb", "\u0001x", "x\u007F", "\u0085y").Select(t => ("title", (string?)Json(t))),
        Gen.OneOf("1", "true", "null", "[]", "{}").Select(v => ("title", (string?)v)),
        Gen.Const(("title", (string?)null)),
        Gen.Int[1001, 1003].Select(n => ("description", (string?)Json(Repeat("x", n)))),
        Gen.OneOf("\u0001", "a\u001Fb", "\u009F").Select(t => ("description", (string?)Json(t))),
        Gen.OneOf("[]", "[1]", "[null]", "[\"\"]", "[\"bankidse\",\"bankidse\"]", "\"bankidse\"", $"[{Json(Repeat("p", 101))}]",
            $"[{Json("\u0001x")}]", "[\"beid\"]", "[\"freja\"]", "[\"bankidno\"]", "[\"unknown\",\"mitid\"]",
            "[" + string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"p{i}\"")) + "]").Select(v => ("providerIds", (string?)v)),
        Gen.OneOf("\"web\"", "\"IOS\"", "\"\"", "1", "[\"ios\"]").Select(v => ("targetPlatform", (string?)v)),
        Gen.OneOf("0", "-1", "1.5", "0.0", "1e-1", "2147483648", "1e400", "\"3\"", "true", "[3]").Select(v => ("maxStamps", (string?)v)),
        Gen.OneOf("\"true\"", "0", "1", "{}").Select(v => ("allowDuplicateParticipation", (string?)v)),
        Gen.OneOf("3", "null").Select(v => ("maxStamp", (string?)v)));

    private static readonly Gen<string> Bodies = Gen.Frequency(
        (10, Gen.Select(ValidBody, Gen.Bool, Change).Select((body, change, what) =>
        {
            if (change) { if (what.Value is null) body.Remove(what.Member); else body[what.Member] = what.Value; }
            return "{" + string.Join(",", body.Select(m => $"\"{m.Key}\":{m.Value}")) + "}";
        })),
        (1, Gen.OneOf("[]", "\"title\"", "42", "null", "[{\"title\":\"t\"}]")));
}
