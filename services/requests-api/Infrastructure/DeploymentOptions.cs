namespace ProductionTests.RequestsApi.Infrastructure;

/// <summary>Which deployment this instance is; configuration section <c>Deployment</c>.</summary>
public sealed class DeploymentOptions
{
    public const string Sandbox = "sandbox";
    public const string Production = "production";

    /// <summary><c>sandbox</c> (accepts <c>sk_workspace_test_</c> keys) or <c>production</c> (<c>sk_workspace_prod_</c>).</summary>
    public string Environment { get; set; } = Sandbox;

    public void Validate()
    {
        if (Environment is not (Sandbox or Production))
            throw new InvalidOperationException($"Deployment:Environment must be '{Sandbox}' or '{Production}', not '{Environment}'.");
    }
}
