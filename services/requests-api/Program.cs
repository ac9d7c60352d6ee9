using JasperFx;
using ProductionTests.RequestsApi;

var builder = WebApplication.CreateBuilder(args);
builder.AddRequestsApi();
var app = builder.Build();
app.MapRequestsApi();

// A verb (`help`, `load-reference-data`, `db-apply`, `projections`...) runs an ops command; no verb
// serves the API. Plain --Key=Value settings go to configuration, which the JasperFx command line refuses.
if (args.Length > 0 && !args[0].StartsWith('-'))
{
    // `<command> --help` reads better than JasperFx's `help <command>`; both work.
    if (args.Skip(1).Any(a => a is "--help" or "-h" or "-?")) args = ["help", args[0]];
    // JasperFx prints "Searching '<assembly>' for commands" before every answer until extensions were applied
    // once in the process (a static latch); applying none sets it, so an ops command prints only its answer.
    new JasperFx.CommandLine.CommandFactory().ApplyExtensions(new ServiceCollection());
    return await app.RunJasperFxCommands(args);
}
await app.RunAsync();
return 0;

public partial class Program;
