using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ProductionTests.IntegrationTests.Contract;

/// <summary>
/// Put in front of requests-api in every integration test: each response under /connect is held back,
/// checked by <see cref="ContractCheck"/>, and replaced by a <see cref="ContractViolationException"/>
/// (which TestServer hands to the test's HttpClient) when it breaks the contract.
/// </summary>
public sealed class ContractCheckMiddleware(RequestDelegate next, ContractCheck check)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments("/connect"))
        {
            await next(http);
            return;
        }
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
        }

        var response = new ContractCheck.Response(http.Request.Method, http.Request.Path.Value ?? "", http.Response.StatusCode, http.Response.ContentType,
            http.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), buffer.ToArray());
        var violations = await check.CheckAsync(response);
        if (violations.Count > 0)
            throw new ContractViolationException($"{response.Method} {response.Path} answered {response.Status}, which breaks the contract:\n- " +
                string.Join("\n- ", violations) + $"\nbody: {System.Text.Encoding.UTF8.GetString(response.Body)}");
        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
    }
}

public sealed class ContractCheckStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<ContractCheckMiddleware>();
        next(app);
    };
}
