using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ProductionTests.RequestsApi.Webhooks;

namespace ProductionTests.UnitTests;

/// <summary>The webhook's pure rules: address classes, sealing, the signature, the secrets a delivery is signed with.</summary>
public sealed class WebhookRulesTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.20.1.1", "private")]
    [InlineData("192.168.5.5", "private")]
    [InlineData("fd00::1", "private")]
    [InlineData("100.64.1.1", "private")]
    [InlineData("169.254.1.1", "link-local")]
    [InlineData("fe80::abcd", "link-local")]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("fd00:ec2::254", "metadata")]
    [InlineData("100.100.100.200", "metadata")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("::ffff:192.168.1.1", "private")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("2002:a00:1::", "private")]
    [InlineData("239.1.1.1", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("93.184.215.14", null)]
    [InlineData("172.32.0.1", null)]
    [InlineData("2606:4700::1111", null)]
    public void Addresses_are_classified(string address, string? expected) =>
        Assert.Equal(expected, WebhookUrlPolicy.Classify(IPAddress.Parse(address)));

    [Fact]
    public void The_development_allowance_opens_loopback_and_nothing_else()
    {
        var policy = new WebhookUrlPolicy(Options.Create(new WebhookOptions { AllowInsecureLoopback = true }), new DnsHostResolver());
        Assert.Null(policy.AddressRefusal(IPAddress.Loopback));
        Assert.Equal("private", policy.AddressRefusal(IPAddress.Parse("10.0.0.1")));
        Assert.Equal("metadata", policy.AddressRefusal(IPAddress.Parse("169.254.169.254")));
    }

    [Fact]
    public void A_sealed_secret_opens_only_for_its_app_and_id_and_holds_no_clear_text()
    {
        var box = new SecretBox(Options.Create(new WebhookOptions { SecretKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
        var secret = SecretBox.NewSecret();
        var sealedSecret = box.Seal(secret, "app1", "whs_1");
        Assert.DoesNotContain(secret["whsec_".Length..], sealedSecret);
        Assert.Equal(secret, box.Open(sealedSecret, "app1", "whs_1"));
        Assert.ThrowsAny<CryptographicException>(() => box.Open(sealedSecret, "app2", "whs_1"));
        var otherKey = new SecretBox(Options.Create(new WebhookOptions { SecretKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
        Assert.ThrowsAny<CryptographicException>(() => otherKey.Open(sealedSecret, "app1", "whs_1"));
    }

    [Fact]
    public void The_signature_is_hmac_sha256_over_timestamp_dot_body_one_per_secret()
    {
        var body = "{\"event\":\"production_test.requested\"}"u8.ToArray();
        var header = WebhookSignature.HeaderValue(["whsec_new", "whsec_old"], 1700000000, body);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData("whsec_new"u8, "1700000000.{\"event\":\"production_test.requested\"}"u8));
        Assert.StartsWith($"t=1700000000,v1={expected},v1=", header);
        Assert.Equal(3, header.Split(',').Length);
    }

    [Fact]
    public void After_a_rotation_both_secrets_sign_until_the_grace_period_ends()
    {
        var view = new WebhookConfigView { Id = "whk_a" };
        var projection = new WebhookConfigProjection();
        var t0 = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
        view = Apply(projection, view, new WebhookSecretIssued("a", "s1", "x1", t0, null), 1);
        view = Apply(projection, view, new WebhookSecretIssued("a", "s2", "x2", t0.AddHours(1), t0.AddHours(25)), 2);
        Assert.Equal(["s2", "s1"], view.ValidSecrets(t0.AddHours(2)).Select(s => s.SecretId));
        Assert.Equal(["s2"], view.ValidSecrets(t0.AddHours(26)).Select(s => s.SecretId));
        view = Apply(projection, view, new WebhookSecretIssued("a", "s3", "x3", t0.AddHours(30), t0.AddHours(54)), 3);
        Assert.Equal(["s3", "s2"], view.ValidSecrets(t0.AddHours(31)).Select(s => s.SecretId));
    }

    private static WebhookConfigView Apply(WebhookConfigProjection projection, WebhookConfigView view, object data, long version)
    {
        var e = new JasperFx.Events.Event<WebhookSecretIssued>((WebhookSecretIssued)data) { Version = version };
        return projection.Evolve(view, view.Id, e)!;
    }
}
