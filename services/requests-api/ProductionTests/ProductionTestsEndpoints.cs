using ProductionTests.RequestsApi.ProductionTests.Create;

namespace ProductionTests.RequestsApi.ProductionTests;

public static class ProductionTestsEndpoints
{
    public static IEndpointRouteBuilder MapProductionTests(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/connect/v1/apps/{client_id}/production-tests")
            .WithTags("Production tests")
            .RequireAuthorization()
            .ProducesProblem(401)
            .ProducesProblem(403)
            .ProducesProblem(404)
            .ProducesProblem(500)
            .ProducesProblem(503);

        group.MapPost("", CreateProductionTestEndpoint.Handle)
            .WithName("CreateProductionTest")
            .WithSummary("Ask for a production test challenge for an app")
            .WithDescription("Accepts the request at once (status pending); it is scheduled with the challenge backend asynchronously.")
            .Accepts<CreateProductionTestBody>("application/json")
            .Produces<ChallengeRequestResponse>(201)
            .ProducesProblem(400)
            .ProducesProblem(409)
            .ProducesProblem(413)
            .ProducesProblem(415);

        group.MapGet("", ReadProductionTestsEndpoints.List)
            .WithName("ListProductionTests")
            .WithSummary("List the app's production tests, newest first")
            .Produces<List<ProductionTestListItem>>(200);

        group.MapGet("/{id}", ReadProductionTestsEndpoints.GetOne)
            .WithName("GetProductionTest")
            .WithSummary("Read one production test request")
            .Produces<ChallengeRequestResponse>(200);

        return routes;
    }
}
