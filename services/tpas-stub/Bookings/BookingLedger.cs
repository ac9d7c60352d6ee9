namespace ProductionTests.TpasStub.Bookings;

/// <summary>
/// What one Idempotency-Key (a request id) got from <c>POST /v1/challenges</c>: every call, whatever its
/// answer (503s while down included), and the challenges the calls created. A retry is a second call; a
/// second challenge for one key would break the contract with tpas-backend.
/// </summary>
/// <param name="Answers">Calls by the status they were answered with ("201", "200", "503"...; "aborted" when the caller hung up first).</param>
/// <param name="LostAnswers">Calls that created the challenge and then answered 503 anyway (the LostAnswerRate knob).</param>
public sealed record Booking(
    string Key,
    int Calls,
    int Challenges,
    IReadOnlyList<string> ChallengeIds,
    IReadOnlyDictionary<string, int> Answers,
    int LostAnswers,
    DateTimeOffset? FirstCallAt,
    DateTimeOffset? LastCallAt)
{
    public static Booking None(string key) => new(key, 0, 0, [], new Dictionary<string, int>(), 0, null, null);
}

/// <summary>Every booking call by key, in memory like the challenges (a restart forgets them).</summary>
public sealed class BookingLedger(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Booking> _byKey = new(StringComparer.Ordinal);

    public void Called(string key, string answer)
    {
        var now = clock.GetUtcNow();
        Change(key, b => b with
        {
            Calls = b.Calls + 1,
            Answers = new Dictionary<string, int>(b.Answers) { [answer] = b.Answers.GetValueOrDefault(answer) + 1 },
            FirstCallAt = b.FirstCallAt ?? now,
            LastCallAt = now,
        });
    }

    public void Created(string key, string challengeId) =>
        Change(key, b => b with { Challenges = b.Challenges + 1, ChallengeIds = [.. b.ChallengeIds, challengeId] });

    public void AnswerLost(string key) => Change(key, b => b with { LostAnswers = b.LostAnswers + 1 });

    public Booking For(string key)
    {
        lock (_gate) return _byKey.GetValueOrDefault(key) ?? Booking.None(key);
    }

    /// <summary>First called first.</summary>
    public IReadOnlyList<Booking> All()
    {
        lock (_gate) return _byKey.Values.OrderBy(b => b.FirstCallAt).ThenBy(b => b.Key, StringComparer.Ordinal).ToList();
    }

    private void Change(string key, Func<Booking, Booking> change)
    {
        lock (_gate) _byKey[key] = change(_byKey.GetValueOrDefault(key) ?? Booking.None(key));
    }
}
