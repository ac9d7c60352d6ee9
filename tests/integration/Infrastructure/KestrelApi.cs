using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ProductionTests.IntegrationTests.Infrastructure;

/// <summary>
/// A sandbox requests-api on a real Kestrel port (relay off), for what only Kestrel's own HTTP parser
/// shows: requests sent byte for byte over TCP. The in-memory TestServer never parses a request line
/// or a header. Every log line is kept.
/// </summary>
public sealed class KestrelApi : IAsyncDisposable
{
    private readonly ConfiguredApi _api;

    public KestrelApi(TestPlatform platform)
    {
        _api = new ConfiguredApi(platform, new(), Log);
        _api.UseKestrel(0);
        _api.StartServer();
        Address = new Uri(_api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public Uri Address { get; }
    public LogCapture Log { get; } = new();

    /// <summary>How many requests reached the app's pipeline so far (hosting logs each one as it starts).</summary>
    public int RequestsStarted => Log.Lines.Count(l => l.Contains("Microsoft.AspNetCore.Hosting.Diagnostics[1] Request starting", StringComparison.Ordinal));

    /// <summary>
    /// Sends the bytes on a new connection and reads until the server closes it (send
    /// <c>Connection: close</c>; Kestrel closes after any request it refuses).
    /// </summary>
    public async Task<RawResponse> SendAsync(byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Address.Host, Address.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        using var received = new MemoryStream();
        // A guard against a hang, not a timed assertion.
        await stream.CopyToAsync(received).WaitAsync(TimeSpan.FromSeconds(30));
        return RawResponse.Parse(received.ToArray());
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();
}

/// <summary>An HTTP/1.1 response as read off the wire: status, headers, and the body (chunks joined).</summary>
public sealed record RawResponse(int Status, IReadOnlyList<(string Name, string Value)> Headers, string Body, string Text)
{
    public string? Header(string name) => Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public static RawResponse Parse(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, $"not an HTTP response: '{text}'");
        var lines = text[..headEnd].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => (l[..l.IndexOf(':')], l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        var body = text[(headEnd + 4)..];
        if (headers.Any(h => h.Item1.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Item2 == "chunked"))
            body = Unchunk(body);
        return new(status, headers, Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(body)), text);
    }

    private static string Unchunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0) return body.ToString();
            body.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
