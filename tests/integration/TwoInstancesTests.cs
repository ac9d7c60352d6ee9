using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ProductionTests.IntegrationTests.Infrastructure;
using static ProductionTests.IntegrationTests.Infrastructure.TestData;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// Two requests-api instances on one store, as behind the cluster's load balancer: an Idempotency-Key sent to
/// both at once still creates one request (the key's record and the stream are one transaction on the primary),
/// and a list answer one instance keeps is never given again once another changed the list.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class TwoInstancesTests(ApiFixture api)
{
    [Fact]
    public async Task The_same_key_sent_to_two_instances_at_once_creates_one_request()
    {
        var second = api.Platform.NewApi("sandbox");
        HttpClient[] instances = [api.Sandbox.ClientWithKey(AcmeKey), second.ClientWithKey(AcmeKey)];
        var key = $"two-instances-{Guid.NewGuid()}";
        var title = $"Two instances {key}";

        // Ten attempts on each instance, all at once, then each retried until it gets its 201 (the careful client).
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => CreateUntilAcceptedAsync(instances[i % 2], key, title)));

        Assert.Single(answers.Distinct());
        var list = await instances[0].GetFromJsonAsync<JsonElement>(HttpAssertions.ProductionTests(AcmeBank));
        Assert.Equal(1, list.EnumerateArray().Count(item => item.GetProperty("request").GetProperty("payload").GetProperty("title").GetString() == title));
    }

    [Fact]
    public async Task A_list_answer_kept_by_one_instance_is_not_given_again_after_another_instance_changed_the_list()
    {
        var second = api.Platform.NewApi("sandbox").ClientWithKey(AcmeKey);
        var first = api.Sandbox.ClientWithKey(AcmeKey);
        var page = $"{HttpAssertions.ProductionTests(AcmeBank)}?limit=3";
        await first.CreateProductionTest(AcmeBank, new { title = "kept list, before" });
        var before = await first.GetAsync(page);
        var again = await first.GetAsync(page);
        Assert.Equal(before.Headers.ETag, again.Headers.ETag);
        Assert.Equal(await before.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());

        var created = await second.CreateProductionTest(AcmeBank, new { title = "kept list, created on the other instance" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var after = await first.GetAsync(page);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
        var newest = (await after.Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("request").GetProperty("id").GetString();
        Assert.Equal(id, newest);
    }

    private static async Task<string> CreateUntilAcceptedAsync(HttpClient client, string key, string title)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, HttpAssertions.ProductionTests(AcmeBank))
            {
                Content = new StringContent(JsonSerializer.Serialize(new { title }), Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            using var response = await client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Created)
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            // Only "still in flight" may answer a key's twin; anything else is a failure.
            await response.ShouldBeProblem(HttpStatusCode.Conflict, "IDEMPOTENCY_REQUEST_IN_PROGRESS");
            await Task.Delay(50);
        }
        throw new InvalidOperationException($"no 201 for {key} after 100 attempts");
    }
}
