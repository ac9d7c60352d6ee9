using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Authentication;

/// <summary>The shape of a workspace API key and how it is hashed for storage.</summary>
public static partial class WorkspaceKeys
{
    /// <summary><c>sk_workspace_test_</c> or <c>sk_workspace_prod_</c>, then 16 to 128 letters and digits.</summary>
    [GeneratedRegex(@"^sk_workspace_(?<env>test|prod)_[A-Za-z0-9]{16,128}\z")]
    private static partial Regex KeyFormat();

    /// <summary>The deployment environment a well-formed key belongs to, or null when the text is not a key.</summary>
    public static string? EnvironmentOf(string key)
    {
        var match = KeyFormat().Match(key);
        if (!match.Success) return null;
        return match.Groups["env"].Value == "test" ? DeploymentOptions.Sandbox : DeploymentOptions.Production;
    }

    /// <summary>Lowercase hex SHA-256 of the key's UTF-8 text: the key's id in storage.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(HashBytes(key));

    /// <summary>The SHA-256 of the key's UTF-8 text, as bytes.</summary>
    public static byte[] HashBytes(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// Whether a stored hash (hex, as <see cref="Hash"/> writes it) is the given SHA-256, compared in
    /// constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>): how long the comparison
    /// takes says nothing about where the two differ. A stored value that is not 64 hex digits matches nothing.
    /// </summary>
    public static bool HashMatches(string storedHash, ReadOnlySpan<byte> computed)
    {
        Span<byte> stored = stackalloc byte[SHA256.HashSizeInBytes];
        if (storedHash.Length != 2 * SHA256.HashSizeInBytes
            || Convert.FromHexString(storedHash, stored, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != stored.Length)
            return false;
        return CryptographicOperations.FixedTimeEquals(stored, computed);
    }
}
