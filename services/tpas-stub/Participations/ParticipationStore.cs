using System.Collections.Concurrent;
using ProductionTests.TpasStub.Challenges;
using ProductionTests.TpasStub.Infrastructure;

namespace ProductionTests.TpasStub.Participations;

/// <summary>
/// Participations in memory, one ledger per challenge, each with its own lock: the rules are checked
/// and the stamp is claimed under that lock, so concurrent participations never claim more than
/// <c>maxStampClaims</c> and the one that claims the last stamp sets the challenge's <c>completedAt</c>.
/// Challenges are never removed, so a challenge found once is found again.
/// </summary>
public sealed class ParticipationStore(ChallengeStore challenges, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, ParticipationLedger> _ledgers = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="body"/> (already validated) on an existing challenge unless a rule refuses it.</summary>
    public (Participation? Recorded, ParticipationRefusal? Refused) Participate(string challengeId, CreateParticipationBody body)
    {
        var ledger = LedgerOf(challengeId);
        lock (ledger.Gate)
        {
            // Read under the lock: the last claim changes the challenge (completedAt) under this same lock.
            var challenge = challenges.Find(challengeId)!;
            var now = clock.GetUtcNow();
            if (ParticipationRules.Refusal(challenge, body, now, ledger.Participations) is { } refusal) return (null, refusal);

            var participatedAt = clock.GetUtcNowMilliseconds();
            var participation = new Participation(
                $"par_{Guid.NewGuid():N}",
                challengeId,
                body.ProviderId!,
                body.UserId!,
                body.Platform!,
                body.CompletionSeconds!.Value,
                participatedAt,
                StampClaimed: ledger.Claims < challenge.MaxStampClaims);
            ledger.Add(participation);

            if (participation.StampClaimed && ledger.Claims == challenge.MaxStampClaims)
                challenges.Update(challengeId, c => c with { CompletedAt = participatedAt });
            return (participation, null);
        }
    }

    /// <returns>The challenge's participations in the order they were recorded, or null for an unknown challenge.</returns>
    public IReadOnlyList<Participation>? List(string challengeId)
    {
        if (challenges.Find(challengeId) is null) return null;
        var ledger = LedgerOf(challengeId);
        lock (ledger.Gate) return ledger.Participations.ToList();
    }

    /// <returns>The challenge's stats, or null for an unknown challenge.</returns>
    public ChallengeStats? Stats(string challengeId)
    {
        if (challenges.Find(challengeId) is null) return null;
        var ledger = LedgerOf(challengeId);
        lock (ledger.Gate) return ChallengeStats.Of(challenges.Find(challengeId)!, ledger.Participations);
    }

    private ParticipationLedger LedgerOf(string challengeId) => _ledgers.GetOrAdd(challengeId, _ => new ParticipationLedger());
}
