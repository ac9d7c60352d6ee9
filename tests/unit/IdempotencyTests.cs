using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ProductionTests.RequestsApi.Create.Idempotency;

namespace ProductionTests.UnitTests;

public sealed class IdempotencyKeyTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    [Theory]
    [InlineData("{\"title\":\"t\",\"maxStamps\":3}", "{ \"maxStamps\" : 3 ,\n \"title\":\"t\" }")]
    [InlineData("{\"a\":{\"y\":1,\"x\":[1,{\"q\":2,\"p\":1}]}}", "{\"a\":{\"x\":[1,{\"p\":1,\"q\":2}],\"y\":1}}")]
    [InlineData("{\"title\":\"A\"}", "{\"title\":\"\\u0041\"}")]
    public void Member_order_whitespace_and_escapes_do_not_change_the_fingerprint(string a, string b) =>
        Assert.Equal(IdempotencyKey.Fingerprint("app", Json(a)), IdempotencyKey.Fingerprint("app", Json(b)));

    [Theory]
    [InlineData("{\"title\":\"t\"}", "{\"title\":\"T\"}")]
    [InlineData("{\"title\":\"t\"}", "{\"title\":\"t\",\"maxStamps\":3}")]
    [InlineData("{\"providerIds\":[\"a\",\"b\"]}", "{\"providerIds\":[\"b\",\"a\"]}")]
    [InlineData("{\"maxStamps\":3}", "{\"maxStamps\":\"3\"}")]
    [InlineData("{\"description\":null}", "{}")]
    public void Any_other_difference_changes_the_fingerprint(string a, string b) =>
        Assert.NotEqual(IdempotencyKey.Fingerprint("app", Json(a)), IdempotencyKey.Fingerprint("app", Json(b)));

    [Fact]
    public void The_app_is_part_of_the_fingerprint() =>
        Assert.NotEqual(IdempotencyKey.Fingerprint("app1", Json("{}")), IdempotencyKey.Fingerprint("app2", Json("{}")));

    [Fact]
    public void An_absent_header_is_no_key_and_no_error()
    {
        var (key, error) = IdempotencyKey.Read(new HeaderDictionary());
        Assert.Null(key);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("k")]
    [InlineData("order-2026-11-26/42 ~!@#$%^&*()")]
    public void A_printable_ascii_key_is_read(string value)
    {
        var (key, error) = IdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = value });
        Assert.Equal(value, key);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\there")]
    [InlineData("ünïcode")]
    [InlineData("del\u007f")]
    public void A_malformed_key_is_refused_on_the_header(string value)
    {
        var (key, error) = IdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = value });
        Assert.Null(key);
        Assert.Equal("Idempotency-Key", error!.Field);
        Assert.Equal("VALIDATION_INVALID_PARAMETER", error.Code);
    }

    [Fact]
    public void A_key_of_255_characters_is_read_and_256_refused()
    {
        Assert.NotNull(IdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = new string('k', 255) }).Key);
        Assert.NotNull(IdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = new string('k', 256) }).Error);
    }

    [Fact]
    public void Two_key_headers_are_refused() =>
        Assert.NotNull(IdempotencyKey.Read(new HeaderDictionary { ["Idempotency-Key"] = new(["a", "b"]) }).Error);
}

public sealed class IdempotencyDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private static IdempotencyRecord Record(string clientId = "app", string fingerprint = "f", DateTimeOffset? expiresAt = null) =>
        new("ws:k", "ws", "k", clientId, fingerprint, "req_1", 201, "{}", "/x", Now.AddHours(-1), expiresAt ?? Now.AddHours(23));

    [Fact]
    public void No_record_proceeds_with_a_new_one() =>
        Assert.Equal(new IdempotencyDecision.Proceed(false), IdempotencyDecision.Decide(null, "app", "f", Now));

    [Fact]
    public void The_same_app_and_fingerprint_replays() =>
        Assert.IsType<IdempotencyDecision.Replay>(IdempotencyDecision.Decide(Record(), "app", "f", Now));

    [Fact]
    public void Another_fingerprint_is_a_conflict() =>
        Assert.IsType<IdempotencyDecision.Conflict>(IdempotencyDecision.Decide(Record(), "app", "g", Now));

    [Fact]
    public void Another_app_is_a_conflict() =>
        Assert.IsType<IdempotencyDecision.Conflict>(IdempotencyDecision.Decide(Record(), "other", "f", Now));

    [Fact]
    public void An_expired_record_is_replaced_even_for_another_body() =>
        Assert.Equal(new IdempotencyDecision.Proceed(true), IdempotencyDecision.Decide(Record(expiresAt: Now), "app", "g", Now));
}
