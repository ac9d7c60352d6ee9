using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using ProductionTests.RequestsApi.Events;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Reading;

/// <summary>
/// The list's optional parameters, all extensions to Hopae's contract: <c>limit</c> and <c>after</c> (pages),
/// <c>status</c> and <c>type</c> (filters, several values each, comma-separated or repeated). Without any of
/// them the list is the whole list, exactly as without this feature. Unknown parameters are ignored, as before.
/// </summary>
public sealed partial record ListQuery(int? Limit, ListCursor? After, IReadOnlyList<string>? Statuses, IReadOnlyList<string>? Types)
{
    public const string LimitParameter = "limit";
    public const string AfterParameter = "after";
    public const string StatusParameter = "status";
    public const string TypeParameter = "type";
    public const int MaxLimit = 200;
    /// <summary>The page size when only a cursor is given.</summary>
    public const int DefaultLimit = 50;

    public static readonly IReadOnlyList<string> StatusValues = [ChallengeRequestView.Pending, ChallengeRequestView.Scheduled, ChallengeRequestView.Failed];
    public const string RequestType = "request";
    public const string ChallengeType = "challenge";
    public static readonly IReadOnlyList<string> TypeValues = [RequestType, ChallengeType];

    public static readonly ListQuery Everything = new(null, null, null, null);

    /// <summary>Pages were asked for: answer at most <see cref="PageSize"/> items and a Link to the next page.</summary>
    public bool Paged => Limit is not null || After is not null;

    public int PageSize => Limit ?? DefaultLimit;

    /// <summary>
    /// The statuses of the items to answer, sorted; null for all. A list item is a <c>challenge</c> exactly when its
    /// request is <c>scheduled</c> (the outcome brings the challenge), so <c>type</c> is a set of statuses too.
    /// </summary>
    public IReadOnlyList<string>? EffectiveStatuses
    {
        get
        {
            if (Statuses is null && Types is null) return null;
            IEnumerable<string> statuses = Statuses ?? StatusValues;
            if (Types is not null)
            {
                var byType = Types.SelectMany(t => t == ChallengeType ? [ChallengeRequestView.Scheduled] : new[] { ChallengeRequestView.Pending, ChallengeRequestView.Failed });
                statuses = statuses.Intersect(byType);
            }
            var result = statuses.Distinct().Order(StringComparer.Ordinal).ToList();
            return result.Count == StatusValues.Count ? null : result;
        }
    }

    /// <summary>The parameters in one canonical form (the next page's link keeps the filters; the ETag tells queries apart).</summary>
    public string Canonical(ListCursor? after)
    {
        var parts = new List<string>();
        if (Paged) parts.Add($"{LimitParameter}={PageSize}");
        if (after is not null) parts.Add($"{AfterParameter}={after.Encode()}");
        if (Statuses is not null) parts.Add($"{StatusParameter}={string.Join(',', Statuses.Distinct().Order(StringComparer.Ordinal))}");
        if (Types is not null) parts.Add($"{TypeParameter}={string.Join(',', Types.Distinct().Order(StringComparer.Ordinal))}");
        return string.Join('&', parts);
    }

    /// <summary>A short digest of <see cref="Canonical"/>, for the ETag.</summary>
    public string Digest() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(After))), 0, 6);

    /// <summary>The parameters of a request, or the first one that is wrong (the 400's field).</summary>
    public static (ListQuery? Query, ValidationError? Error) Parse(IQueryCollection query)
    {
        int? limit = null;
        if (query.TryGetValue(LimitParameter, out var limitValues))
        {
            if (Single(limitValues) is not { } text || !LimitPattern().IsMatch(text) || int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) > MaxLimit)
                return Invalid(LimitParameter, $"'{LimitParameter}' must be given once, as a whole number from 1 to {MaxLimit}.");
            limit = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        }

        ListCursor? after = null;
        if (query.TryGetValue(AfterParameter, out var afterValues))
        {
            if (Single(afterValues) is not { } text || ListCursor.Decode(text) is not { } cursor)
                return Invalid(AfterParameter, $"'{AfterParameter}' must be given once, as the cursor of a next-page link this list answered.");
            after = cursor;
        }

        var (statuses, statusError) = Values(query, StatusParameter, StatusValues);
        if (statusError is not null) return (null, statusError);
        var (types, typeError) = Values(query, TypeParameter, TypeValues);
        if (typeError is not null) return (null, typeError);
        return (new ListQuery(limit, after, statuses, types), null);
    }

    private static string? Single(StringValues values) => values.Count == 1 ? values[0] : null;

    /// <summary>Every value of a parameter, repeated or comma-separated; each must be one of <paramref name="allowed"/>.</summary>
    private static (IReadOnlyList<string>? Values, ValidationError? Error) Values(IQueryCollection query, string name, IReadOnlyList<string> allowed)
    {
        if (!query.TryGetValue(name, out var given)) return (null, null);
        var values = given.SelectMany(v => (v ?? "").Split(',')).ToList();
        if (values.Any(v => !allowed.Contains(v, StringComparer.Ordinal)))
            return (null, Invalid(name, $"'{name}' must be one or more of {string.Join(", ", allowed)} (comma-separated or repeated).").Error);
        return (values, null);
    }

    private static (ListQuery? Query, ValidationError? Error) Invalid(string field, string message) =>
        (null, new ValidationError(field, ErrorCodes.ValidationInvalidParameter, message));

    [GeneratedRegex("^[1-9][0-9]{0,2}$")]
    private static partial Regex LimitPattern();
}

/// <summary>
/// A position in the list: the last item of a page, by the list's order (created_at, then id, newest first).
/// The next page is whatever comes after it, so requests created meanwhile (newer, so above it) shift nothing:
/// no item is skipped or repeated. Opaque to callers: base64url of a version byte, the creation time in
/// microseconds (PostgreSQL's precision), the request id and a checksum.
/// </summary>
public sealed partial record ListCursor(DateTime CreatedAt, string Id)
{
    private const byte Version = 1;
    private const int MaxLength = 128;

    public string Encode()
    {
        var id = Encoding.ASCII.GetBytes(Id);
        var bytes = new byte[9 + id.Length + CheckLength];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1), (CreatedAt.ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10);
        id.CopyTo(bytes, 9);
        Check(bytes.AsSpan(0, bytes.Length - CheckLength)).CopyTo(bytes.AsSpan(bytes.Length - CheckLength));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>A checksum, so a cursor altered by hand (or cut short) is refused rather than read as another position.</summary>
    private const int CheckLength = 4;
    private static byte[] Check(ReadOnlySpan<byte> payload) => SHA256.HashData(payload)[..CheckLength];

    /// <summary>The cursor, or null for anything this API did not write: strictly its own encoding, version, time range and id shape.</summary>
    public static ListCursor? Decode(string text)
    {
        if (text.Length is 0 or > MaxLength || !Base64Url.IsValid(text)) return null;
        byte[] bytes;
        try { bytes = Base64Url.DecodeFromChars(text); }
        catch (FormatException) { return null; }
        if (bytes.Length < 10 + CheckLength || bytes[0] != Version) return null;
        if (!Check(bytes.AsSpan(0, bytes.Length - CheckLength)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - CheckLength))) return null;
        var micros = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1));
        if (micros < 0 || micros > (DateTime.MaxValue - DateTime.UnixEpoch).Ticks / 10) return null;
        var id = Encoding.ASCII.GetString(bytes, 9, bytes.Length - 9 - CheckLength);
        if (!RequestId().IsMatch(id)) return null;
        var cursor = new ListCursor(DateTime.SpecifyKind(DateTime.UnixEpoch.AddTicks(micros * 10), DateTimeKind.Utc), id);
        // One text per cursor: base64url's unused trailing bits, or any other spelling, are refused.
        return cursor.Encode() == text ? cursor : null;
    }

    // A request id as stored: printable ASCII (req_<uuid> for every request this API created).
    [GeneratedRegex("^[\\x21-\\x7e]{1,100}$")]
    private static partial Regex RequestId();
}
