using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace ProductionTests.RequestsApi.Webhooks;

/// <summary>Resolves a receiver's host name (replaceable in tests, to play DNS rebinding).</summary>
public interface IWebhookHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

public sealed class DnsHostResolver : IWebhookHostResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        IPAddress.TryParse(host, out var literal) ? Task.FromResult(new[] { literal }) : Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>
/// Which receiver URLs and addresses are allowed (SSRF protection). Checked when a URL is configured and
/// again on every connection the dispatcher opens (on the addresses it actually connects to, so a name
/// that resolves elsewhere later, DNS rebinding, is refused too). Every address of a name must be allowed.
/// </summary>
public sealed class WebhookUrlPolicy(IOptions<WebhookOptions> options, IWebhookHostResolver resolver)
{
    public const int MaxUrlLength = 2048;

    /// <summary>Null when the URL may be configured, else why not (for the 400's detail).</summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken ct)
    {
        if (url.Length > MaxUrlLength) return $"The URL must be at most {MaxUrlLength} characters.";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "The URL must be absolute.";
        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) return "The URL must be https.";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "The URL must not carry credentials.";
        if (!string.IsNullOrEmpty(uri.Fragment)) return "The URL must not have a fragment.";
        IPAddress[] addresses;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            addresses = await resolver.ResolveAsync(uri.IdnHost, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
        {
            return $"The URL's host '{uri.Host}' does not resolve.";
        }
        if (addresses.Length == 0) return $"The URL's host '{uri.Host}' does not resolve.";
        foreach (var address in addresses)
        {
            if (AddressRefusal(address) is { } refusal) return $"The URL's host '{uri.Host}' resolves to {address}, a {refusal} address: webhooks go to public addresses only.";
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !(options.Value.AllowInsecureLoopback && addresses.All(IPAddress.IsLoopback)))
            return "The URL must be https.";
        return null;
    }

    /// <summary>Null when the dispatcher may connect to the address, else its class (loopback, private, link-local, metadata...).</summary>
    public string? AddressRefusal(IPAddress address)
    {
        var forbidden = Classify(address);
        return forbidden == "loopback" && options.Value.AllowInsecureLoopback ? null : forbidden;
    }

    /// <summary>The class of a non-public address, or null for a public one. IPv4 inside IPv6 (mapped, NAT64, 6to4) is judged as IPv4.</summary>
    public static string? Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return Classify(address.MapToIPv4());
        if (address.AddressFamily == AddressFamily.InterNetwork) return ClassifyV4(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return "unsupported";

        var b = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Loopback)) return "loopback";
        if (address.Equals(IPAddress.IPv6Any)) return "unspecified";
        // fd00:ec2::254 (AWS's IPv6 instance metadata) sits inside fc00::/7; named first.
        if (address.Equals(IPAddress.Parse("fd00:ec2::254"))) return "metadata";
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "private"; // site-local (deprecated)
        if ((b[0] & 0xfe) == 0xfc) return "private";                // unique local fc00::/7
        if (b[0] == 0xff) return "multicast";
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return "reserved"; // documentation
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) return ClassifyV4(b[12..16]);  // NAT64
        if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(b[2..6]);                                   // 6to4
        if (b[..12].All(x => x == 0)) return "reserved"; // IPv4-compatible ::a.b.c.d (deprecated)
        return null;
    }

    private static string? ClassifyV4(byte[] b) => (b[0], b[1], b[2], b[3]) switch
    {
        (169, 254, 169, 254) => "metadata",        // AWS, GCP, Azure, OpenStack...
        (100, 100, 100, 200) => "metadata",        // Alibaba Cloud
        (0, _, _, _) => "unspecified",
        (127, _, _, _) => "loopback",
        (10, _, _, _) => "private",
        (172, >= 16 and <= 31, _, _) => "private",
        (192, 168, _, _) => "private",
        (100, >= 64 and <= 127, _, _) => "private",  // carrier-grade NAT
        (169, 254, _, _) => "link-local",
        (192, 0, 0, _) => "reserved",
        (192, 0, 2, _) or (198, 51, 100, _) or (203, 0, 113, _) => "reserved", // documentation
        (198, 18 or 19, _, _) => "reserved",        // benchmarking
        (>= 224 and <= 239, _, _, _) => "multicast",
        (>= 240, _, _, _) => "reserved",            // incl. broadcast
        _ => null,
    };
}
