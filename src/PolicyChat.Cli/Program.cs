using System.CommandLine;
using PolicyChat.Cli.Commands;

// policychat: ingest documents, search them, ask questions, and evaluate retrieval and answers.
var root = new RootCommand("PolicyChat: grounded question answering over policy documents (Arabic, English, Chinese).")
{
    IngestCommand.Create(),
    SearchCommand.Create(),
    EvalCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
