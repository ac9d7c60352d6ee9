namespace ProductionTests.Tools;

/// <summary>The tool cannot run (configuration, servers, builds): exit code 2.</summary>
public sealed class SetupException(string message) : Exception(message);
