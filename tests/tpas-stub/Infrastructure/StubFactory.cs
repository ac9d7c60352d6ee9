using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ProductionTests.TpasStub.Tests.Infrastructure;

/// <summary>The stub in memory (TestServer); one per test, so fault knobs never leak between tests.</summary>
public sealed class StubFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    /// <summary>Replaces the stub's <see cref="TimeProvider"/> when set (e.g. a <see cref="ManualTimeProvider"/>).</summary>
    public TimeProvider? Clock { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (Clock is { } clock) builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
    }
}
