using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.UnitTests;

/// <summary>The problem's <c>traceId</c> when the request has no activity (hosting's logging and every listener off).</summary>
public class ProblemTraceIdTests
{
    [Fact]
    public void Without_an_activity_it_is_the_callers_trace()
    {
        Activity.Current = null;
        var http = new DefaultHttpContext();
        http.Request.Headers.TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", ProblemDetailsSetup.TraceId(http));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not a traceparent")]
    public void Without_an_activity_or_a_valid_traceparent_it_is_a_fresh_trace_id(string? traceParent)
    {
        Activity.Current = null;
        var http = new DefaultHttpContext();
        if (traceParent is not null) http.Request.Headers.TraceParent = traceParent;

        Assert.Matches("^[0-9a-f]{32}$", ProblemDetailsSetup.TraceId(http));
        Assert.NotEqual(ProblemDetailsSetup.TraceId(http), ProblemDetailsSetup.TraceId(http));
    }

    [Fact]
    public void With_an_activity_it_is_the_activitys_trace()
    {
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        var http = new DefaultHttpContext();
        http.Request.Headers.TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        Assert.Equal(activity.TraceId.ToHexString(), ProblemDetailsSetup.TraceId(http));
    }
}
