using System.Text.Json;
using System.Text.Json.Serialization;
using ProductionTests.Contracts;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Reading;

/// <summary>
/// The list's body, written from the views straight into the response: the same bytes the serializer writes for a list
/// of <see cref="ProductionTestListItem"/> with the API's JSON options (ListBodyTests holds the two equal; change both
/// together), without building the response records and serializing them by reflection on every poll.
/// </summary>
public sealed class ListBody(IReadOnlyList<ChallengeRequestView> views, JsonSerializerOptions options) : IResult
{
    // The whole list can be tens of megabytes: it goes out in pieces of about this size, a page in one.
    private const int FlushBytes = 64 * 1024;

    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>The body in one array: for answers small enough to keep (<see cref="ListAnswerCache"/>).</summary>
    public static byte[] ToBytes(IReadOnlyList<ChallengeRequestView> views, JsonSerializerOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024 * (views.Count + 1));
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true }))
        {
            json.WriteStartArray();
            foreach (var view in views) WriteItem(json, view);
            json.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = ContentType;
        var body = http.Response.BodyWriter;
        await using var json = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true });
        json.WriteStartArray();
        foreach (var view in views)
        {
            WriteItem(json, view);
            if (json.BytesPending < FlushBytes) continue;
            json.Flush();
            await body.FlushAsync(http.RequestAborted);
        }
        json.WriteEndArray();
        json.Flush();
        await body.FlushAsync(http.RequestAborted);
    }

    /// <summary>One item, as <see cref="ProductionTestListItem.From"/> and the serializer make it.</summary>
    public static void WriteItem(Utf8JsonWriter json, ChallengeRequestView view)
    {
        json.WriteStartObject();
        json.WriteString(Names.Type, view.Challenge is null ? Names.RequestType : Names.ChallengeType);
        json.WritePropertyName(Names.Request);
        WriteRequest(json, view);
        if (view.Challenge is { } challenge)
        {
            json.WritePropertyName(Names.Challenge);
            WriteChallenge(json, challenge);
        }
        json.WriteEndObject();
    }

    private static void WriteRequest(Utf8JsonWriter json, ChallengeRequestView view)
    {
        json.WriteStartObject();
        json.WriteString(Names.Id, view.Id);
        json.WriteString(Names.ClientId, view.ClientId);
        json.WriteString(Names.Status, view.Status switch
        {
            ChallengeRequestView.Pending => Names.Pending,
            ChallengeRequestView.Scheduled => Names.Scheduled,
            ChallengeRequestView.Failed => Names.Failed,
            _ => throw new InvalidOperationException($"Request {view.Id} has an unknown status '{view.Status}'."),
        });
        json.WritePropertyName(Names.Payload);
        WritePayload(json, view.Payload);
        if (view.ChallengeId is not null) json.WriteString(Names.ChallengeId, view.ChallengeId);
        json.WritePropertyName(Names.CreatedAt);
        UtcTimestampConverter.WriteUtc(json, view.CreatedAt);
        if (view.Status == ChallengeRequestView.Failed)
        {
            json.WriteStartObject(Names.Failure);
            json.WriteString(Names.ReasonCode, view.FailureCode ?? "UNKNOWN");
            json.WriteString(Names.Reason, view.FailureReason ?? "");
            json.WriteBoolean(Names.Retryable, view.FailureRetryable);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static void WritePayload(Utf8JsonWriter json, ChallengePayload payload)
    {
        json.WriteStartObject();
        json.WriteString(Names.Title, payload.Title);
        json.WriteString(Names.Description, payload.Description);
        WriteStrings(json, Names.ProviderIds, payload.ProviderIds);
        json.WriteNumber(Names.MaxStampClaims, payload.MaxStampClaims);
        json.WriteString(Names.TargetPlatform, payload.TargetPlatform);
        json.WriteBoolean(Names.AllowDuplicateParticipation, payload.AllowDuplicateParticipation);
        json.WriteString(Names.HostName, payload.HostName);
        json.WriteEndObject();
    }

    private static void WriteChallenge(Utf8JsonWriter json, ChallengeSnapshot challenge)
    {
        json.WriteStartObject();
        json.WriteString(Names.Id, challenge.Id);
        json.WriteString(Names.Title, challenge.Title);
        if (challenge.Description is not null) json.WriteString(Names.Description, challenge.Description);
        json.WritePropertyName(Names.ExpiresAt);
        UtcTimestampConverter.WriteUtc(json, challenge.ExpiresAt);
        json.WritePropertyName(Names.CreatedAt);
        UtcTimestampConverter.WriteUtc(json, challenge.CreatedAt);
        if (challenge.CompletedAt is { } completedAt)
        {
            json.WritePropertyName(Names.CompletedAt);
            UtcTimestampConverter.WriteUtc(json, completedAt);
        }
        json.WriteBoolean(Names.IsActive, challenge.IsActive);
        json.WriteString(Names.ChallengeMode, challenge.ChallengeMode);
        json.WriteStartObject(Names.Sponsor);
        json.WriteString(Names.Name, challenge.Sponsor);
        json.WriteEndObject();
        WriteStrings(json, Names.Sources, challenge.Sources);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, JsonEncodedText name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static class Names
    {
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText RequestType = JsonEncodedText.Encode("request");
        public static readonly JsonEncodedText ChallengeType = JsonEncodedText.Encode("challenge");
        public static readonly JsonEncodedText Request = JsonEncodedText.Encode("request");
        public static readonly JsonEncodedText Challenge = JsonEncodedText.Encode("challenge");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText ClientId = JsonEncodedText.Encode("clientId");
        public static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
        public static readonly JsonEncodedText Pending = JsonEncodedText.Encode("pending");
        public static readonly JsonEncodedText Scheduled = JsonEncodedText.Encode("scheduled");
        public static readonly JsonEncodedText Failed = JsonEncodedText.Encode("failed");
        public static readonly JsonEncodedText Payload = JsonEncodedText.Encode("payload");
        public static readonly JsonEncodedText ChallengeId = JsonEncodedText.Encode("challengeId");
        public static readonly JsonEncodedText CreatedAt = JsonEncodedText.Encode("createdAt");
        public static readonly JsonEncodedText Failure = JsonEncodedText.Encode("failure");
        public static readonly JsonEncodedText ReasonCode = JsonEncodedText.Encode("reasonCode");
        public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
        public static readonly JsonEncodedText Retryable = JsonEncodedText.Encode("retryable");
        public static readonly JsonEncodedText Title = JsonEncodedText.Encode("title");
        public static readonly JsonEncodedText Description = JsonEncodedText.Encode("description");
        public static readonly JsonEncodedText ProviderIds = JsonEncodedText.Encode("providerIds");
        public static readonly JsonEncodedText MaxStampClaims = JsonEncodedText.Encode("maxStampClaims");
        public static readonly JsonEncodedText TargetPlatform = JsonEncodedText.Encode("targetPlatform");
        public static readonly JsonEncodedText AllowDuplicateParticipation = JsonEncodedText.Encode("allowDuplicateParticipation");
        public static readonly JsonEncodedText HostName = JsonEncodedText.Encode("hostName");
        public static readonly JsonEncodedText ExpiresAt = JsonEncodedText.Encode("expiresAt");
        public static readonly JsonEncodedText CompletedAt = JsonEncodedText.Encode("completedAt");
        public static readonly JsonEncodedText IsActive = JsonEncodedText.Encode("isActive");
        public static readonly JsonEncodedText ChallengeMode = JsonEncodedText.Encode("challengeMode");
        public static readonly JsonEncodedText Sponsor = JsonEncodedText.Encode("sponsor");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText Sources = JsonEncodedText.Encode("sources");
    }
}

/// <summary>
/// Reads a view as Marten stored it (its default System.Text.Json settings: the members' own names) with metadata
/// generated at build time rather than Marten's serializer, straight from the row's bytes.
/// </summary>
[JsonSerializable(typeof(ChallengeRequestView))]
internal sealed partial class StoredViewJson : JsonSerializerContext;
