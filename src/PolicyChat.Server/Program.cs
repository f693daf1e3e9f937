using PolicyChat.Server;
using PolicyChat.Server.Apis;

// PolicyChat server: the chat page, a SignalR hub, REST and Server-Sent Events, and an OpenAI-compatible endpoint.
var builder = WebApplication.CreateBuilder(args);
builder.AddPolicyChatServer();

var app = builder.Build();
app.UsePolicyChatServer();

app.MapHealthApi();
app.MapServiceStateApi();
app.MapAskApi();
app.MapSearchApi();
app.MapDocumentsApi();
app.MapLibraryApi();
app.MapHistoryApi();
app.MapOpenAiApi();
app.MapChatHub();
app.MapOpenApi();

app.Run();

/// <summary>The entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in the tests.</summary>
public partial class Program;
