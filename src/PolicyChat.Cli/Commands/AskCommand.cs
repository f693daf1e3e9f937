using System.CommandLine;
using System.Text.Json;
using PolicyChat.Core.Answering;

namespace PolicyChat.Cli.Commands;

internal static class AskCommand
{
    public static Command Create()
    {
        var question = new Argument<string>("question") { Description = "The question, in Arabic, English or Chinese." };
        var conversation = new Option<string?>("--conversation") { Description = "Continue a conversation (its id is printed after each answer)." };
        var db = CommonOptions.Db();
        var json = CommonOptions.Json();
        var command = new Command("ask", "Answer a question from the collection, with verified citations.") { question, conversation, db, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = CliServices.Create(parse.GetValue(db));
            var request = new AskRequest(parse.GetValue(question) ?? "", parse.GetValue(conversation));
            services.Answers.Validate(request);
            await services.Store.InitializeAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                var result = await services.Answers.AskAsync(request, cancellationToken);
                Console.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Readable.AnswerResult));
                return 0;
            }
            return await StreamAsync(services.Answers, request, cancellationToken);
        });
        return command;
    }

    private static async Task<int> StreamAsync(AnswerService answers, AskRequest request, CancellationToken cancellationToken)
    {
        IReadOnlyList<Citation> citations = [];
        var exit = 0;
        await foreach (var e in answers.AskStreamAsync(request, cancellationToken))
        {
            switch (e.Type)
            {
                case AnswerEvent.DeltaType:
                    Console.Write(e.Text);
                    break;
                case AnswerEvent.CitationsType:
                    citations = e.Citations ?? [];
                    break;
                case AnswerEvent.ErrorType:
                    Console.Error.WriteLine();
                    Console.Error.WriteLine(e.Message);
                    exit = 1;
                    break;
                case AnswerEvent.DoneType:
                    Console.WriteLine();
                    if (citations.Count > 0)
                    {
                        Console.WriteLine();
                        foreach (var c in citations)
                        {
                            var source = c.SourceLabel(e.Language ?? "en");
                            Console.WriteLine($"[{c.Marker}] {source} ({c.Start}–{c.End}, support {c.Support:0.00})");
                            Console.WriteLine($"    “{c.Quote.ReplaceLineEndings(" ")}”");
                        }
                    }
                    if (e.Notice is not null)
                    {
                        Console.WriteLine();
                        Console.WriteLine(e.Notice);
                    }
                    Console.WriteLine($"mode: {e.Mode} · conversation: {e.ConversationId}");
                    break;
            }
        }
        return exit;
    }
}
