using System.Text;
using PolicyChat.Core.Evaluation;

namespace PolicyChat.Benchmarks;

/// <summary>
/// Synthetic documents built from real sentences: XQuAD's Arabic and English paragraphs are cut into sentences and
/// recombined at random (fixed seed), so term statistics look like real text at any collection size.
/// </summary>
internal sealed class SyntheticCorpus
{
    private readonly string[] _sentences;
    private readonly Random _random;

    private SyntheticCorpus(string[] sentences, int seed)
    {
        _sentences = sentences;
        _random = new Random(seed);
    }

    public IReadOnlyList<SquadQuestion> Questions { get; private init; } = [];

    public static SyntheticCorpus Load(int seed = 42)
    {
        var folder = FindXquad();
        var sentences = new List<string>();
        var questions = new List<SquadQuestion>();
        foreach (var file in new[] { "xquad.ar.json", "xquad.en.json" })
        {
            var data = SquadDataset.Load(Path.Combine(folder, file));
            foreach (var passage in data.Passages)
            {
                sentences.AddRange(passage.Context.Split(['.', '؟', '?', '!'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(s => s.Length > 20)
                    .Select(s => s + "."));
            }
            questions.AddRange(data.Questions);
        }
        return new SyntheticCorpus(sentences.ToArray(), seed) { Questions = questions };
    }

    /// <summary>A paragraph of roughly <paramref name="chars"/> characters.</summary>
    public string Paragraph(int chars)
    {
        var sb = new StringBuilder(chars + 200);
        while (sb.Length < chars)
        {
            sb.Append(_sentences[_random.Next(_sentences.Length)]).Append(' ');
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>A document of <paramref name="paragraphs"/> paragraphs separated by blank lines.</summary>
    public string Document(int paragraphs, int charsPerParagraph)
    {
        var parts = new string[paragraphs];
        for (var i = 0; i < paragraphs; i++)
        {
            parts[i] = Paragraph(charsPerParagraph);
        }
        return string.Join("\n\n", parts);
    }

    private static string FindXquad()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "eval", "xquad");
            if (File.Exists(Path.Combine(dir.FullName, "PolicyChat.sln")) && Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
            dir = dir.Parent;
        }
        throw new DirectoryNotFoundException("../shared/eval/xquad not found beside the repository.");
    }
}
