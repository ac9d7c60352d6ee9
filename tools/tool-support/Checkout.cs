namespace ProductionTests.Tools;

/// <summary>The checkout the tools run from, and the services' Release builds in it.</summary>
public static class Checkout
{
    /// <summary>The given directory, or the first one above the current directory (or the tool's) with Platform.sln and deploy/local.</summary>
    public static string FindRoot(string? given)
    {
        if (given is not null)
            return File.Exists(Path.Combine(given, "Platform.sln")) ? Path.GetFullPath(given) : throw new SetupException($"--root {given}: no Platform.sln there.");
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
                if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")) && File.Exists(Path.Combine(directory.FullName, "deploy", "local", "postgres.sh")))
                    return directory.FullName;
        throw new SetupException("Could not find the checkout (Platform.sln); run from inside it or pass --root.");
    }

    /// <summary>services/&lt;service&gt;/bin/Release/net10.0/&lt;assembly&gt;.dll, which must have been built.</summary>
    public static string ServiceDll(string root, string service, string assembly, string deployScript)
    {
        var path = Path.Combine(root, "services", service, "bin", "Release", "net10.0", assembly + ".dll");
        return File.Exists(path)
            ? path
            : throw new SetupException($"{path} is missing: build the services in Release first ({deployScript} does).");
    }

    /// <summary>
    /// &lt;root&gt;/.data/&lt;name&gt; and its logs/ (emptied of the previous run's *.log): where a tool writes.
    /// </summary>
    public static (string Data, string Logs) DataDirectories(string root, string name)
    {
        var data = Path.Combine(root, ".data", name);
        var logs = Path.Combine(data, "logs");
        Directory.CreateDirectory(logs);
        foreach (var old in Directory.GetFiles(logs, "*.log")) File.Delete(old);
        return (data, logs);
    }
}
