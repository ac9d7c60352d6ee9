using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ProductionTests.TpasStub.Tests.Infrastructure;

/// <summary>The stub in memory (TestServer); one per test, so fault knobs never leak between tests.</summary>
public sealed class StubFactory(params (string Key, string Value)[] settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }
}
