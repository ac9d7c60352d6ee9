using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>
/// Signing secrets at rest: sealed with AES-256-GCM under <c>Webhooks:SecretKey</c> (which lives in
/// configuration, never in the database), bound to their app and secret id as associated data, so a
/// database dump alone reveals none and a sealed secret copied to another app does not open.
/// </summary>
public sealed class SecretBox(IOptions<WebhookOptions> options)
{
    private const string Prefix = "aesgcm1:";
    private readonly byte[]? _key = ReadKey(options.Value.SecretKey);

    public bool Configured => _key is not null;

    /// <summary>A new signing secret as shown to the app owner once: <c>whsec_</c> and 32 random bytes (base64url).</summary>
    public static string NewSecret() => "whsec_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public string Seal(string secret, string clientId, string secretId)
    {
        var key = _key ?? throw new InvalidOperationException("Webhooks:SecretKey is not configured.");
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var plain = Encoding.UTF8.GetBytes(secret);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(key, tag.Length);
        aes.Encrypt(nonce, plain, cipher, tag, Associated(clientId, secretId));
        return Prefix + Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    public string Open(string sealedSecret, string clientId, string secretId)
    {
        var key = _key ?? throw new InvalidOperationException("Webhooks:SecretKey is not configured.");
        if (!sealedSecret.StartsWith(Prefix, StringComparison.Ordinal)) throw new CryptographicException("Not a sealed secret.");
        var blob = Convert.FromBase64String(sealedSecret[Prefix.Length..]);
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        var plain = new byte[blob.Length - nonceSize - tagSize];
        using var aes = new AesGcm(key, tagSize);
        aes.Decrypt(blob.AsSpan(0, nonceSize), blob.AsSpan(nonceSize + tagSize), blob.AsSpan(nonceSize, tagSize), plain, Associated(clientId, secretId));
        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] Associated(string clientId, string secretId) => Encoding.UTF8.GetBytes($"webhook-secret:{clientId}:{secretId}");

    private static byte[]? ReadKey(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured)) return null;
        var key = Convert.FromBase64String(configured);
        if (key.Length != 32) throw new InvalidOperationException("Webhooks:SecretKey must be the base64 of exactly 32 bytes.");
        return key;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
