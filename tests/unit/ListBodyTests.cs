using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Reading;

namespace ProductionTests.UnitTests;

/// <summary>
/// The list's body is written by hand (ListBody) and must stay the bytes the serializer writes for the response records,
/// which the OpenAPI document describes; and the views must read back exactly as Marten stored them.
/// </summary>
public class ListBodyTests
{
    private static readonly JsonSerializerOptions Api = ApiJson.Options();

    private static readonly DateTimeOffset At = new(2026, 11, 26, 9, 4, 48, 123, TimeSpan.FromHours(2));

    public static TheoryData<string> Cases => new(Views().Select(v => v.Id));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task One_item_is_the_serializers_bytes(string id)
    {
        var view = Views().Single(v => v.Id == id);
        Assert.Equal(Serialized([view]), await WrittenAsync([view]));
    }

    [Fact]
    public async Task A_list_and_an_empty_list_are_the_serializers_bytes()
    {
        Assert.Equal(Serialized(Views()), await WrittenAsync(Views()));
        Assert.Equal("[]", await WrittenAsync([]));
    }

    [Fact]
    public void The_body_kept_in_memory_is_the_same_bytes()
    {
        Assert.Equal(Serialized(Views()), System.Text.Encoding.UTF8.GetString(ListBody.ToBytes(Views(), Api)));
        Assert.Equal("[]", System.Text.Encoding.UTF8.GetString(ListBody.ToBytes([], Api)));
    }

    [Fact]
    public async Task A_list_larger_than_one_flush_is_whole()
    {
        var many = Enumerable.Range(0, 500).SelectMany(_ => Views()).ToList();
        Assert.Equal(Serialized(many), await WrittenAsync(many));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_view_reads_back_as_Marten_stored_it(string id)
    {
        var view = Views().Single(v => v.Id == id);
        var stored = new StoreOptions().Serializer().ToJson(view);

        var read = JsonSerializer.Deserialize(stored, StoredViewJson.Default.ChallengeRequestView)!;

        Assert.Equal(Serialized([view]), Serialized([read]));
        Assert.Equal((view.WorkspaceId, view.UpdatedAt), (read.WorkspaceId, read.UpdatedAt));
    }

    private static string Serialized(IReadOnlyList<ChallengeRequestView> views) =>
        JsonSerializer.Serialize(views.Select(ProductionTestListItem.From).ToList(), Api);

    private static async Task<string> WrittenAsync(IReadOnlyList<ChallengeRequestView> views)
    {
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;
        await new ListBody(views, Api).ExecuteAsync(http);
        await http.Response.BodyWriter.FlushAsync();
        Assert.Equal("application/json; charset=utf-8", http.Response.ContentType);
        return System.Text.Encoding.UTF8.GetString(body.ToArray());
    }

    private static List<ChallengeRequestView> Views()
    {
        var payload = new ChallengePayload("Launch test", null, ["bankidse", "smartid"], 3, null, false, "Acme Bank");
        // Characters the encoder escapes (HTML-sensitive, quotes, control, non-ASCII, a surrogate pair) in every kind of field.
        const string awkward = "Åsa's <b>\"test\"</b> & co\n\t\\ — 😀 +1";
        var full = new ChallengePayload(awkward, awkward, [awkward, "mitid"], int.MaxValue, "android", true, awkward);
        var snapshot = new ChallengeSnapshot("chl_1", "Launch test", null, At.AddDays(30), At.AddTicks(1_234_567), null, true, "first_come", "Acme Bank", ["bankidse"]);
        var completed = new ChallengeSnapshot("chl_2", awkward, awkward, At.AddDays(-1), At.AddDays(-2), At.AddTicks(-9_999), false, awkward, awkward, []);
        return
        [
            View("req_pending", "pending", payload),
            View("req_pending_full", "pending", full),
            View("req_scheduled", "scheduled", payload, "chl_1", snapshot),
            View("req_scheduled_completed", "scheduled", full, "chl_2", completed),
            View("req_failed", "failed", payload, failure: ("CHALLENGE_REFUSED", awkward, true)),
            View("req_failed_unknown", "failed", full, failure: (null, null, false)),
        ];
    }

    private static ChallengeRequestView View(string id, string status, ChallengePayload payload, string? challengeId = null,
        ChallengeSnapshot? challenge = null, (string? Code, string? Reason, bool Retryable)? failure = null) => new()
    {
        Id = id,
        ClientId = "AcS7hop2",
        WorkspaceId = "ws_acme",
        Status = status,
        Payload = payload,
        ChallengeId = challengeId,
        Challenge = challenge,
        FailureCode = failure?.Code,
        FailureReason = failure?.Reason,
        FailureRetryable = failure?.Retryable ?? false,
        CreatedAt = At.AddTicks(4_321),
        UpdatedAt = At.AddSeconds(3),
    };
}
