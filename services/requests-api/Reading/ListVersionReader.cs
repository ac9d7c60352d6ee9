using Npgsql;
using NpgsqlTypes;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Reading;

/// <summary>
/// Reads apps' list versions (<see cref="AppListVersions"/>) for many callers at once: whoever asks while a read is
/// under way waits for the next one, which starts as soon as it ends and answers everyone then waiting, for every app
/// asked, in one statement. Every caller's read still starts after it asked, so it sees everything committed before
/// it asked (a 304 is never staler than a read of its own would be); under load, one statement answers a whole queue
/// of revalidations instead of each taking a connection and a round trip.
/// </summary>
public sealed class ListVersionReader(ListConnections connections, ILogger<ListVersionReader> logger)
{
    private static readonly string ReadManySql = $"SELECT client_id, version FROM {AppListVersions.QualifiedTable} WHERE client_id = ANY($1)";

    private readonly Lock _gate = new();
    private Dictionary<string, TaskCompletionSource<long>> _waiting = new(StringComparer.Ordinal);
    private bool _reading;

    /// <summary>The app's list version: 0 until something of the app's was written since the versions table exists.</summary>
    public Task<long> ReadAsync(string clientId, CancellationToken ct)
    {
        TaskCompletionSource<long>? answer;
        var start = false;
        lock (_gate)
        {
            if (!_waiting.TryGetValue(clientId, out answer))
                _waiting[clientId] = answer = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_reading) _reading = start = true;
        }
        if (start) _ = Task.Run(ReadWhileAskedAsync, CancellationToken.None);
        // A caller that gives up does not cancel the read: the others waiting on it still need it.
        return answer.Task.WaitAsync(ct);
    }

    private async Task ReadWhileAskedAsync()
    {
        while (true)
        {
            Dictionary<string, TaskCompletionSource<long>> asked;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _reading = false;
                    return;
                }
                asked = _waiting;
                _waiting = new(StringComparer.Ordinal);
            }
            try
            {
                var versions = await ReadManyAsync(asked.Keys.ToArray());
                foreach (var (clientId, answer) in asked) answer.TrySetResult(versions.GetValueOrDefault(clientId));
            }
            catch (Exception e)
            {
                // Each caller answers its own failure (503 for a database that is down); the next callers try afresh.
                logger.LogDebug(e, "Reading the list versions of {Count} apps failed", asked.Count);
                foreach (var answer in asked.Values) answer.TrySetException(e);
            }
        }
    }

    private async Task<Dictionary<string, long>> ReadManyAsync(string[] clientIds)
    {
        await using var connection = connections.Create();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(ReadManySql, connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = clientIds });
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new Dictionary<string, long>(clientIds.Length, StringComparer.Ordinal);
        while (await reader.ReadAsync()) versions[reader.GetString(0)] = reader.GetInt64(1);
        return versions;
    }
}
