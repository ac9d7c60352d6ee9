using System.Security.Cryptography;
using System.Text;

namespace ProductionTests.WebhookReceiver;

// Receiver-side verification of a production-test webhook (docs/webhooks.md shows this file as it is).
public static class WebhookVerifier
{
    public const string SignatureHeader = "X-Hopae-Signature";
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    /// <summary>
    /// True when <paramref name="header"/> (t=&lt;unix seconds&gt;,v1=&lt;hex&gt;[,v1=&lt;hex&gt;...]) carries an HMAC-SHA256 of
    /// "&lt;t&gt;.&lt;raw body&gt;" under <paramref name="secret"/> (its UTF-8 bytes, whsec_ included) and t is within 300 s of now.
    /// Verify the raw bytes as received, before parsing the JSON.
    /// </summary>
    public static bool Verify(string secret, string? header, ReadOnlySpan<byte> rawBody, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(header)) return false;
        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var pair = part.Trim().Split('=', 2);
            if (pair.Length != 2) continue;
            if (pair[0] == "t" && long.TryParse(pair[1], out var t)) timestamp = t;
            else if (pair[0] == "v1" && pair[1].Length == 64)
            {
                try { signatures.Add(Convert.FromHexString(pair[1])); } catch (FormatException) { }
            }
        }
        if (timestamp is not { } seconds || signatures.Count == 0) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance) return false;

        var prefix = Encoding.UTF8.GetBytes($"{seconds}.");
        var message = new byte[prefix.Length + rawBody.Length];
        prefix.CopyTo(message, 0);
        rawBody.CopyTo(message.AsSpan(prefix.Length));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(s, expected));
    }
}
