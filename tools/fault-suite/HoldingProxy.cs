using System.Net;
using System.Net.Sockets;

namespace ProductionTests.FaultSuite;

/// <summary>
/// The load's way to requests-api: a TCP forwarder that can hold the answers. While held, what requests-api
/// sends is read but not passed on, so a create can be committed while its 201 waits here; a kill of
/// requests-api then lands between the commit and the response. <see cref="DropAll"/> ends every connection,
/// held bytes included, as the killed process would have.
/// </summary>
public sealed class HoldingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _released = Released();

    public HoldingProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public Uri BaseAddress => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public void Hold()
    {
        lock (_gate) _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release()
    {
        lock (_gate) _released.TrySetResult();
    }

    public void DropAll()
    {
        lock (_gate)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = ForwardAsync(inbound);
        }
    }

    private async Task ForwardAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            lock (_gate) { _open.Add(inbound); _open.Add(outbound); }
            var requests = inbound.GetStream().CopyToAsync(outbound.GetStream(), _stop.Token);
            var answers = CopyAnswersAsync(outbound.GetStream(), inbound.GetStream());
            await Task.WhenAny(requests, answers);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A connection that fails ends both directions, as it would without the proxy.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
            lock (_gate) { _open.Remove(inbound); _open.Remove(outbound); }
        }
    }

    private async Task CopyAnswersAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, _stop.Token);
            if (read == 0) return;
            Task released;
            lock (_gate) released = _released.Task;
            await released.WaitAsync(_stop.Token);
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Release();
        DropAll();
        return ValueTask.CompletedTask;
    }
}
