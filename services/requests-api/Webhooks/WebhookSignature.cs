using System.Security.Cryptography;
using System.Text;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>
/// The signature header, Hopae's scheme: <c>X-Hopae-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>, the hex being
/// HMAC-SHA256 keyed with the signing secret (its UTF-8 bytes, <c>whsec_</c> included) over
/// <c>"&lt;t&gt;.&lt;raw body&gt;"</c>. During a rotation's grace period one <c>v1=</c> per valid secret, newest first.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Hopae-Signature";

    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    public static string HeaderValue(IEnumerable<string> secrets, long timestamp, ReadOnlySpan<byte> body)
    {
        var value = new StringBuilder($"t={timestamp}");
        foreach (var secret in secrets) value.Append(",v1=").Append(Compute(secret, timestamp, body));
        return value.ToString();
    }
}
