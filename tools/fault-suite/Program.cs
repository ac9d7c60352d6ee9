using ProductionTests.FaultSuite;

// The fault suite: see SuiteOptions.Usage and the README's "Fault suite" section.
// `cluster ...`: the cluster fault suite against deploy/cluster.sh's cluster (ClusterOptions.Usage, docs/cluster.md).
if (args.Length > 0 && args[0] == "cluster")
{
    ProductionTests.FaultSuite.Cluster.ClusterOptions clusterOptions;
    try { clusterOptions = ProductionTests.FaultSuite.Cluster.ClusterOptions.Parse(args[1..]); }
    catch (UsageException e)
    {
        Console.Error.WriteLine(e.Message);
        Console.Error.WriteLine(ProductionTests.FaultSuite.Cluster.ClusterOptions.Usage);
        return 2;
    }
    if (args.Contains("--help")) { Console.WriteLine(ProductionTests.FaultSuite.Cluster.ClusterOptions.Usage); return 0; }
    var cluster = new ProductionTests.FaultSuite.Cluster.ClusterSuite(clusterOptions);
    return await ToolRunner.RunAsync("cluster fault suite", cluster.RunAsync, () => Task.CompletedTask, () => { });
}
SuiteOptions options;
try
{
    options = SuiteOptions.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(SuiteOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(SuiteOptions.Usage);
    return 0;
}

var suite = new Suite(options);
return await ToolRunner.RunAsync("fault suite", suite.RunAsync, suite.CleanUpAsync, suite.KillChildren);
