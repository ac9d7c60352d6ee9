using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using ProductionTests.RequestsApi.Reading;

namespace ProductionTests.UnitTests;

public sealed class ListQueryTests
{
    private static readonly ListCursor Cursor = new(new DateTime(2026, 11, 29, 9, 0, 1, DateTimeKind.Utc).AddTicks(1234560), "req_01a216ca-aff7-7149-8b4d-789730d57d4d");

    private static (ListQuery? Query, string? Field) Parse(string query)
    {
        var (parsed, error) = ListQuery.Parse(new QueryCollection(QueryHelpers.ParseQuery(query)));
        return (parsed, error?.Field);
    }

    [Fact]
    public void A_cursor_reads_back_as_itself_to_the_microsecond()
    {
        var text = Cursor.Encode();
        Assert.Matches("^[A-Za-z0-9_-]+$", text);
        Assert.Equal(Cursor, ListCursor.Decode(text));
    }

    [Fact]
    public void Any_other_text_is_not_a_cursor()
    {
        var text = Cursor.Encode();
        Assert.Null(ListCursor.Decode(""));
        Assert.Null(ListCursor.Decode("not a cursor"));
        Assert.Null(ListCursor.Decode(text + "="));
        Assert.Null(ListCursor.Decode(text[..^2]));
        Assert.Null(ListCursor.Decode(text + "AAAA"));
        Assert.Null(ListCursor.Decode(new string('A', 200)));
        // Every single changed character is refused (its checksum, or base64url's one spelling per value).
        for (var i = 0; i < text.Length; i++)
        {
            var changed = text[..i] + (text[i] == 'x' ? 'y' : 'x') + text[(i + 1)..];
            Assert.Null(ListCursor.Decode(changed));
        }
        // Another version's cursor.
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text);
        bytes[0] = 2;
        Assert.Null(ListCursor.Decode(System.Buffers.Text.Base64Url.EncodeToString(bytes)));
    }

    [Fact]
    public void No_parameters_is_the_whole_list_and_unknown_ones_are_ignored()
    {
        var (query, field) = Parse("?sort=asc&foo");
        Assert.Null(field);
        Assert.False(query!.Paged);
        Assert.Null(query.EffectiveStatuses);
        Assert.Equal("", query.Canonical(null));
    }

    [Theory]
    [InlineData("?limit=1", 1)]
    [InlineData("?limit=50", 50)]
    [InlineData("?limit=200", 200)]
    public void A_limit_from_1_to_200_asks_for_pages(string text, int limit)
    {
        var (query, field) = Parse(text);
        Assert.Null(field);
        Assert.True(query!.Paged);
        Assert.Equal(limit, query.PageSize);
    }

    [Fact]
    public void A_cursor_alone_asks_for_pages_of_the_default_size()
    {
        var (query, _) = Parse($"?after={Cursor.Encode()}");
        Assert.True(query!.Paged);
        Assert.Equal(ListQuery.DefaultLimit, query.PageSize);
        Assert.Equal(Cursor, query.After);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=201", "limit")]
    [InlineData("?limit=-1", "limit")]
    [InlineData("?limit=+5", "limit")]
    [InlineData("?limit=05", "limit")]
    [InlineData("?limit=1e2", "limit")]
    [InlineData("?limit= 5", "limit")]
    [InlineData("?limit=99999999999", "limit")]
    [InlineData("?limit=5&limit=5", "limit")]
    [InlineData("?after=", "after")]
    [InlineData("?after=abc", "after")]
    [InlineData("?status=", "status")]
    [InlineData("?status=open", "status")]
    [InlineData("?status=pending,,failed", "status")]
    [InlineData("?status=PENDING", "status")]
    [InlineData("?type=", "type")]
    [InlineData("?type=requests", "type")]
    public void A_wrong_parameter_is_named(string text, string expected) =>
        Assert.Equal(expected, Parse(text).Field);

    [Theory]
    [InlineData("?status=pending", "pending")]
    [InlineData("?status=pending,failed", "failed,pending")]
    [InlineData("?status=pending&status=failed&status=pending", "failed,pending")]
    [InlineData("?type=challenge", "scheduled")]
    [InlineData("?type=request", "failed,pending")]
    [InlineData("?type=request&status=failed,scheduled", "failed")]
    [InlineData("?type=challenge&status=pending", "")]
    public void Status_and_type_become_one_set_of_statuses(string text, string statuses)
    {
        var (query, field) = Parse(text);
        Assert.Null(field);
        Assert.Equal(statuses, string.Join(',', query!.EffectiveStatuses!));
    }

    [Theory]
    [InlineData("?status=pending,scheduled,failed")]
    [InlineData("?type=request,challenge")]
    public void Every_status_is_no_filter(string text) =>
        Assert.Null(Parse(text).Query!.EffectiveStatuses);

    [Fact]
    public void The_next_link_keeps_the_filters_in_one_canonical_form_and_queries_differ_in_their_digest()
    {
        var (query, _) = Parse("?type=request&status=pending&status=failed&limit=20");
        Assert.Equal($"limit=20&after={Cursor.Encode()}&status=failed,pending&type=request", query!.Canonical(Cursor));
        Assert.Equal(Parse("?status=failed,pending&type=request&limit=20").Query!.Digest(), query.Digest());
        Assert.NotEqual(Parse("?limit=20").Query!.Digest(), query.Digest());
        Assert.NotEqual(ListQuery.Everything.Digest(), Parse("?limit=20").Query!.Digest());
    }
}
