using System.CommandLine;
using Microsoft.Extensions.Options;
using PolicyChat.Cli.Commands;
using PolicyChat.Core.Answering;
using PolicyChat.Core.Ingestion;

// policychat: ingest documents, search them, ask questions, and evaluate retrieval and answers.
var root = new RootCommand("PolicyChat: grounded question answering over policy documents (Arabic, English, Chinese).")
{
    IngestCommand.Create(),
    SearchCommand.Create(),
    AskCommand.Create(),
    ReindexCommand.Create(),
    EvalCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("Configuration error / خطأ في الإعدادات:\n  " + string.Join("\n  ", ex.Failures));
    return 2;
}
catch (Exception ex) when (ex is EmbedderMismatchException or InvalidQuestionException or InvalidDataException or FileNotFoundException or InvalidOperationException)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
catch (OperationCanceledException)
{
    await Console.Error.WriteLineAsync("Cancelled. / أُلغي.");
    return 130;
}
