using Microsoft.Extensions.Options;
using ProductionTests.RequestsApi.Reading;

namespace ProductionTests.UnitTests;

/// <summary>A kept list answer is given again only for the very list version it was read at.</summary>
public class ListAnswerCacheTests
{
    private static ListAnswerCache Cache(int megabytes = 1) => new(Options.Create(new ListOptions { CacheMegabytes = megabytes }));

    [Fact]
    public void An_answer_is_found_for_its_version_app_and_query_only()
    {
        using var cache = Cache();
        var answer = new KeptListAnswer(7, [1, 2, 3], "limit=50&after=x");
        cache.Keep("AcmeBank", "limit=50", answer);

        Assert.Same(answer, cache.Find("AcmeBank", "limit=50", 7));
        Assert.Null(cache.Find("AcmeBank", "limit=50", 8));
        Assert.Null(cache.Find("AcmeBank", "limit=50", 6));
        Assert.Null(cache.Find("AcmeBank", "limit=49", 7));
        Assert.Null(cache.Find("AcmeShop", "limit=50", 7));
    }

    [Fact]
    public void A_newer_answer_replaces_the_older_one()
    {
        using var cache = Cache();
        cache.Keep("AcmeBank", "", new KeptListAnswer(1, [1], null));
        var newer = new KeptListAnswer(2, [2], null);
        cache.Keep("AcmeBank", "", newer);

        Assert.Null(cache.Find("AcmeBank", "", 1));
        Assert.Same(newer, cache.Find("AcmeBank", "", 2));
    }

    [Fact]
    public void Zero_megabytes_keeps_nothing_and_an_answer_larger_than_the_cache_is_not_kept()
    {
        using var off = Cache(0);
        off.Keep("AcmeBank", "", new KeptListAnswer(1, [1], null));
        Assert.Null(off.Find("AcmeBank", "", 1));

        using var small = Cache(1);
        small.Keep("AcmeBank", "", new KeptListAnswer(1, new byte[2 * 1024 * 1024], null));
        Assert.Null(small.Find("AcmeBank", "", 1));
    }
}
