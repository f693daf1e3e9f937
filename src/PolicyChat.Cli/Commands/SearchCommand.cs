using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace PolicyChat.Cli.Commands;

internal static class SearchCommand
{
    public static Command Create()
    {
        var query = new Argument<string>("query") { Description = "What to search for." };
        var db = CommonOptions.Db();
        var k = new Option<int>("-k", "--top") { Description = "Number of passages.", DefaultValueFactory = _ => 5 };
        var json = CommonOptions.Json();
        var command = new Command("search", "Ranked passages for a query (hybrid BM25 + character n-grams).") { query, db, k, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var text = parse.GetValue(query) ?? "";
            if (string.IsNullOrWhiteSpace(text))
            {
                Console.Error.WriteLine("The query is empty. / الاستعلام فارغ.");
                return 2;
            }
            await using var services = CliServices.Create(parse.GetValue(db));
            await services.Store.InitializeAsync(cancellationToken);
            var result = await services.Retriever.SearchAsync(text, Math.Clamp(parse.GetValue(k), 1, 100), cancellationToken: cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(CliJson.ToJson(result), CliJsonContext.Readable.SearchJson));
                return 0;
            }
            if (result.Hits.Count == 0)
            {
                Console.WriteLine("No passages found. / لم يُعثر على مقاطع.");
                return 0;
            }
            var table = new Table().AddColumns("#", "score", "title", "offsets", "passage");
            var rank = 0;
            foreach (var hit in result.Hits)
            {
                var snippet = hit.Text.Length > 160 ? hit.Text[..160] + "…" : hit.Text;
                table.AddRow((++rank).ToString(System.Globalization.CultureInfo.InvariantCulture), hit.Score.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(hit.Title), $"{hit.Start}–{hit.End}", Markup.Escape(snippet.ReplaceLineEndings(" ")));
            }
            AnsiConsole.Write(table);
            Console.WriteLine($"{result.Elapsed.TotalMilliseconds:0.0} ms");
            return 0;
        });
        return command;
    }
}
