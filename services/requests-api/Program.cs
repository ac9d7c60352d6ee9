using JasperFx;
using ProductionTests.RequestsApi;

var builder = WebApplication.CreateBuilder(args);
builder.AddRequestsApi();
var app = builder.Build();
app.MapRequestsApi();

// Serves the API with no arguments; `-- help` lists the ops commands (load-reference-data, db-apply, projections...).
return await app.RunJasperFxCommands(args);

public partial class Program;
