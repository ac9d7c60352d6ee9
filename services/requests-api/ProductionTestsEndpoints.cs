using Microsoft.OpenApi;
using ProductionTests.RequestsApi.Create;
using ProductionTests.RequestsApi.Create.Idempotency;
using ProductionTests.RequestsApi.Report;
using ProductionTests.RequestsApi.Reading;
using ProductionTests.RequestsApi.Webhooks;

namespace ProductionTests.RequestsApi;

public static class ProductionTestsEndpoints
{
    public static IEndpointRouteBuilder MapProductionTests(this IEndpointRouteBuilder routes)
    {
        var group = routes.AppGroup("/production-tests", "Production tests");

        group.MapPost("", CreateProductionTestEndpoint.Handle)
            .WithName("CreateProductionTest")
            .WithSummary("Create a production test")
            .WithDescription("Accepts the request at once (status `pending`) and schedules it with the challenge backend asynchronously: " +
                "read it back with its `Location`, or wait for its outcome with `Prefer: wait=N`. The app's name becomes the challenge's host name. " +
                "Members other than the documented ones are refused; `null` counts as omitted. Send an `Idempotency-Key` to retry safely.")
            .Accepts<CreateProductionTestBody>("application/json")
            .Produces<ChallengeRequestResponse>(201)
            .ProducesProblem(409)
            .ProducesProblem(413)
            .ProducesProblem(415)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = IdempotencyKey.Header,
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = "1 to 255 printable ASCII characters, scoped to your workspace and kept 24 hours. The same key with " +
                        "the same body (member order and whitespace aside) answers the first response again with Idempotency-Replayed: true; " +
                        "with a different body or app: 409 IDEMPOTENCY_KEY_CONFLICT; while the first is in flight: 409 IDEMPOTENCY_REQUEST_IN_PROGRESS.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyKey.MaxLength },
                });
                if (ResponseWithHeaders(operation, "201") is { } response)
                {
                    response.Headers!["Location"] = new OpenApiHeader
                    {
                        Description = "The new request's address.",
                        Required = true,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" },
                    };
                    response.Headers[IdempotencyKey.ReplayedHeader] = new OpenApiHeader
                    {
                        Description = "true when this is the stored answer to an earlier request with the same Idempotency-Key; absent otherwise.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["true"] },
                    };
                }
                if (ResponseWithHeaders(operation, "409") is { } conflictResponse)
                {
                    conflictResponse.Description = "RESOURCE_CONFLICT (no eligible provider), IDEMPOTENCY_KEY_CONFLICT or IDEMPOTENCY_REQUEST_IN_PROGRESS.";
                    conflictResponse.Headers!["Retry-After"] = new OpenApiHeader
                    {
                        Description = "With IDEMPOTENCY_REQUEST_IN_PROGRESS: seconds until the first request's answer can be replayed.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                    };
                }
                return Task.CompletedTask;
            });

        group.MapGet("", ReadProductionTestsEndpoints.List)
            .WithName("ListProductionTests")
            .WithSummary("List production tests")
            .WithDescription("Every request for the app, newest first (requests created in the same millisecond are ordered by their time-ordered id). " +
                "An item is `request` while pending or failed and `challenge` once scheduled, with the challenge beside the request. " +
                "Extensions to Hopae's contract, all optional: pages (`limit`, then `after` from the `Link: <...>; rel=\"next\"` header), " +
                "filters (`status`, `type`), and conditional GET (send the `ETag` back as `If-None-Match`: 304 without a body while nothing changed). " +
                "Without parameters the answer is the whole list.")
            .Produces<List<ProductionTestListItem>>(200)
            .Produces(304)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = ListQuery.LimitParameter,
                    In = ParameterLocation.Query,
                    Description = $"Answer a page of at most this many items (1 to {ListQuery.MaxLimit}) and, when more follow, a Link header to the next page.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = ListQuery.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                });
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = ListQuery.AfterParameter,
                    In = ParameterLocation.Query,
                    Description = "An opaque cursor: the items after this position, from a next-page link. It stays valid while new requests arrive " +
                        $"(they come before it): no item is skipped or repeated. Alone, pages of {ListQuery.DefaultLimit}.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 128, Pattern = "^[A-Za-z0-9_-]+$" },
                });
                operation.Parameters.Add(FilterParameter(ListQuery.StatusParameter, ListQuery.StatusValues, "Only requests with one of these statuses, comma-separated."));
                operation.Parameters.Add(FilterParameter(ListQuery.TypeParameter, ListQuery.TypeValues, "Only items of these types, comma-separated."));
                operation.Parameters.Add(IfNoneMatchParameter());
                ConditionalHeaders(operation, link: true);
                return Task.CompletedTask;
            });

        group.MapGet("/{id}", ReadProductionTestsEndpoints.GetOne)
            .WithName("GetProductionTest")
            .WithSummary("Get a production test")
            .WithDescription("Send 'Prefer: wait=N' (N at most 30) to be answered as soon as a pending request is scheduled or failed, " +
                "or after N seconds as it then stands, instead of polling. The answer says 'Preference-Applied: wait=N'. " +
                "Send its ETag back as If-None-Match to be answered 304 without a body while it is unchanged (with a wait: still unchanged when the wait ends).")
            .Produces<ChallengeRequestResponse>(200)
            .Produces(304)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(IfNoneMatchParameter());
                ConditionalHeaders(operation, link: false);
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "Prefer",
                    In = ParameterLocation.Header,
                    Description = "wait=N (RFC 7240): wait up to N seconds (at most 30) for the outcome of a pending request.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Examples = [System.Text.Json.Nodes.JsonValue.Create("wait=10")] },
                });
                if (ResponseWithHeaders(operation, "200") is { } response)
                {
                    response.Headers!["Preference-Applied"] = new OpenApiHeader { Description = "wait=N when a wait preference was honoured.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                }
                return Task.CompletedTask;
            });

        group.MapGet("/{id}/events", EventsEndpoint.Handle)
            .WithName("GetProductionTestEvents")
            .WithSummary("Get a production test's history")
            .WithDescription("Every event of the request's stream, oldest first, each as the current version of its record: the request's audit trail.")
            .Produces<List<RequestEvent>>(200);

        group.MapGet("/{challenge_id}/report", ReportEndpoint.Handle)
            .WithName("GetProductionTestReport")
            .WithSummary("Get a challenge report")
            .WithDescription("How a scheduled challenge went: participations, stamps claimed, and a breakdown per provider with the average " +
                "completion time, read from the challenge backend as it stands now. 503 with Retry-After while the backend cannot answer.")
            .Produces<ChallengeReport>(200);

        var webhooks = routes.AppGroup("", "Webhooks");

        webhooks.MapGet("/webhook-config", WebhookConfigEndpoints.Get)
            .WithName("GetWebhookConfig")
            .WithSummary("Get the app's webhook configuration")
            .WithDescription("The URL, whether deliveries are on, the event types delivered, and the signing secret's id and age (never the secret). " +
                "An app never configured answers `enabled: false` without a URL.")
            .Produces<WebhookConfigResponse>(200);

        webhooks.MapPatch("/webhook-config", WebhookConfigEndpoints.Patch)
            .WithName("UpdateWebhookConfig")
            .WithSummary("Change the app's webhook configuration")
            .WithDescription("Sets any of `url` (https, on a public address: loopback, private, link-local and metadata addresses are refused), " +
                "`enabled` and `eventTypes`; members left out keep their value. The first time a URL is set the signing secret is created " +
                "and returned once, in `signingSecret`. Every change is an event of the configuration's history.")
            .Accepts<WebhookConfigPatch>("application/json")
            .Produces<WebhookConfigResponse>(200)
            .ProducesProblem(409)
            .ProducesProblem(413)
            .ProducesProblem(415);

        webhooks.MapPost("/webhook-config/rotate-secret", WebhookConfigEndpoints.RotateSecret)
            .WithName("RotateWebhookSecret")
            .WithSummary("Rotate the app's webhook signing secret")
            .WithDescription("Creates a new signing secret and returns it once, in `signingSecret`. The previous one stays valid for a grace period " +
                "(`secret.previousSecretValidUntil`, 24 hours by default), during which every delivery carries a signature with each.")
            .Produces<WebhookConfigResponse>(200)
            .ProducesProblem(409);

        webhooks.MapGet("/webhook-deliveries", WebhookDeliveriesEndpoints.List)
            .WithName("ListWebhookDeliveries")
            .WithSummary("List the app's webhook deliveries")
            .WithDescription("Newest first, each with every attempt (start, duration, status code, outcome, error). `status=failed` lists the " +
                "deliveries given up after the last retry; `pending` those waiting for their next attempt.")
            .Produces<List<WebhookDeliveryResponse>>(200)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                foreach (var parameter in operation.Parameters ?? [])
                {
                    if (parameter is not OpenApiParameter p) continue;
                    if (p.Name == "status")
                    {
                        p.Description = "Only deliveries in this status.";
                        p.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. WebhookDeliveriesEndpoints.Statuses.Select(s => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(s)!)] };
                    }
                    if (p.Name == "limit")
                    {
                        p.Description = $"At most this many (default {WebhookDeliveriesEndpoints.DefaultLimit}).";
                        p.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = WebhookDeliveriesEndpoints.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                    }
                }
                return Task.CompletedTask;
            });

        webhooks.MapPost("/webhook-deliveries/{delivery_id}/redeliver", WebhookDeliveriesEndpoints.Redeliver)
            .WithName("RedeliverWebhook")
            .WithSummary("Deliver again")
            .WithDescription("Makes the delivery due now with a fresh retry schedule, whatever its status (a delivered one is sent again: " +
                "receivers dedupe by `eventId`).")
            .Produces<WebhookDeliveryResponse>(202);

        return routes;
    }

    private static OpenApiParameter FilterParameter(string name, IReadOnlyList<string> values, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description + " Repeating the parameter also works. Combinable with pages and with each other.",
        Style = ParameterStyle.Form,
        Explode = false,
        Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            MinItems = 1,
            Items = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (System.Text.Json.Nodes.JsonNode)v)] },
        },
    };

    private static OpenApiParameter IfNoneMatchParameter() => new()
    {
        Name = "If-None-Match",
        In = ParameterLocation.Header,
        Description = "The ETag of an earlier answer (RFC 9110): 304 without a body while the answer is unchanged.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    /// <summary>The operation's response for a status, ready for headers to be added; null when it has none.</summary>
    private static OpenApiResponse? ResponseWithHeaders(OpenApiOperation operation, string status)
    {
        if (operation.Responses?.TryGetValue(status, out var found) != true || found is not OpenApiResponse response) return null;
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        return response;
    }

    /// <summary>ETag and Cache-Control on the 200 and the 304 (and Link on the list's 200).</summary>
    private static void ConditionalHeaders(OpenApiOperation operation, bool link)
    {
        foreach (var status in new[] { "200", "304" })
        {
            if (ResponseWithHeaders(operation, status) is not { } response) continue;
            if (status == "304") response.Description = "Not Modified: the answer is still the one this ETag names; no body.";
            response.Headers!["ETag"] = new OpenApiHeader
            {
                Description = "Changes exactly when the answer does; send it back as If-None-Match.",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
            response.Headers["Cache-Control"] = new OpenApiHeader
            {
                Description = "private, no-cache: reuse only after revalidating.",
                Required = true,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
            if (link && status == "200")
                response.Headers["Link"] = new OpenApiHeader
                {
                    Description = "With a page that has more after it: <...>; rel=\"next\" (RFC 8288), the next page's address.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
        }
    }

    /// <summary>Routes under an app, for a workspace key, with the problems any of them may answer.</summary>
    private static RouteGroupBuilder AppGroup(this IEndpointRouteBuilder routes, string path, string tag) =>
        routes.MapGroup("/connect/v1/apps/{client_id}" + path)
            .WithTags(tag)
            .RequireAuthorization()
            .ProducesProblem(400)
            .ProducesProblem(401)
            .ProducesProblem(403)
            .ProducesProblem(404)
            .ProducesProblem(429)
            .ProducesProblem(500)
            .ProducesProblem(503);
}
