using System.Text.Json;
using System.Text.Json.Nodes;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;
using ProductionTests.RequestsApi.Reading;
using ProductionTests.RequestsApi.Webhooks;

namespace ProductionTests.UnitTests;

/// <summary>
/// The webhook intake serializes each envelope without its event id and timestamp, which the database fills in from the
/// stored event (WebhookIntake.QueueSql): completed, it must be the envelope serialized whole, byte for byte.
/// </summary>
public class WebhookEnvelopeTests
{
    private static readonly JsonSerializerOptions Api = ApiJson.Options();

    private static readonly DateTimeOffset At = new(2026, 11, 29, 9, 4, 48, 123, TimeSpan.Zero);
    // Characters the encoder escapes, in the text fields.
    private const string Awkward = "Åsa's <b>\"test\"</b> & co\n\t\\ — 😀 +1";
    private static readonly ChallengeRequested Requested = new("req_1", "client_1", "ws_1",
        new ChallengePayload(Awkward, Awkward, ["bankidse"], 3, null, false, Awkward), At);

    public static TheoryData<string> Events => new(["requested", "scheduled", "failed"]);

    private static AppendedRequestEvent Appended(string which) => which switch
    {
        "requested" => new("req_1", 1, "client_1", Requested, null),
        "scheduled" => new("req_1", 2, "client_1",
            new ChallengeScheduled("req_1", "client_1", "ws_1", "chl_1",
                new ChallengeSnapshot("chl_1", Awkward, null, At.AddDays(30), At.AddTicks(1_234_567), null, true, "first_come", Awkward, ["bankidse"]), At.AddSeconds(1)),
            ChallengeRequestView.From(Requested)),
        _ => new("req_1", 2, "client_1", new ChallengeFailed("req_1", "client_1", "ws_1", "CHALLENGE_REFUSED", Awkward, At.AddSeconds(1), true),
            ChallengeRequestView.From(Requested)),
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Completed_with_the_stored_id_and_timestamp_it_is_the_whole_envelope(string which)
    {
        var e = Appended(which);
        var type = WebhookIntake.EventTypeOf(e.Data)!;
        var (head, tail) = WebhookIntake.EnvelopeAround(type, e, Api);

        var id = Guid.CreateVersion7();
        var committed = new DateTimeOffset(2026, 11, 29, 17, 30, 1, 7, TimeSpan.Zero).AddTicks(4_321);
        // As the SQL completes it: the id as uuid::text, the timestamp as to_char(... 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"').
        var completed = head + id + "\",\"timestamp\":\"" + committed.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture) + tail;

        var view = ChallengeRequestProjection.Step(e.ViewBefore?.Copy(), e.Data)!;
        var whole = JsonSerializer.Serialize(new WebhookEnvelope(type, id.ToString(), committed, "v1", "client_1",
            new WebhookEventData("req_1", e.Version, ChallengeRequestResponse.From(view),
                e.Data is ChallengeScheduled s ? ChallengeResponse.From(s.Challenge) : null,
                e.Data is ChallengeFailed f ? new FailureResponse(f.ReasonCode, f.Reason, f.Retryable) : null)), Api);
        Assert.Equal(whole, completed);
        Assert.Equal(which == "requested" ? "pending" : which, JsonNode.Parse(completed)!["data"]!["request"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void The_view_before_an_outcome_is_left_as_it_was()
    {
        var e = Appended("scheduled");
        WebhookIntake.EnvelopeAround(WebhookEventTypes.Scheduled, e, Api);
        Assert.Equal(ChallengeRequestView.Pending, e.ViewBefore!.Status);
    }
}
