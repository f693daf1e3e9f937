using System.Globalization;
using System.Text;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;
using PolicyChat.Core.Tokens;

namespace PolicyChat.Core.Tests.Chunking;

/// <summary>Deterministic sample documents and the invariants every chunking must satisfy.</summary>
internal static class ChunkSamples
{
    public static readonly string[] EnglishSentences =
    [
        "The regulation applies to providers of general-purpose AI models placed on the market.",
        "Inflation in the U.S. fell to 3.5 percent, according to the latest figures.",
        "Does the law cover open-source models?",
        "Providers must publish a summary of the content used for training, e.g. web pages and books.",
        "Dr. Smith said the deadline is \"not negotiable.\"",
        "Fines can reach 35 million euros or 7% of worldwide turnover!",
        "Member states shall designate a national authority; the Commission coordinates them.",
        "The text was adopted on 13 March 2024 by a large majority.",
    ];

    public static readonly string[] ArabicSentences =
    [
        "أعلنت الحكومة عن استراتيجية وطنية جديدة للذكاء الاصطناعي.",
        "هل تشمل القواعد الشركات الناشئة؟",
        "تهدف الخطة إلى إنشاء 100 شركة، وتدريب آلاف المهندسين، وبناء مراكز بيانات.",
        "يجب على المزودين نشر ملخص للبيانات؛ وتتابع الهيئة التنفيذ.",
        "بلغت الاستثمارات 3.5 مليار دولار في عام 2025.",
        "وأكد الوزير أن التعاون الدولي ضروري لمواجهة المخاطر!",
        "تُعد حماية البيانات الشخصية أولوية قصوى في السياسات الرقمية.",
    ];

    public static readonly string[] ChineseSentences =
    [
        "上海计划在未来两年内建设两百多个开源项目。",
        "这一举措是推动人工智能和芯片自主可控的重要部分！",
        "企业是否需要进行安全评估？",
        "数据必须在境内存储；跨境传输需要审批。",
        "开源降低了技术使用门槛，促进了开发者与产业的深度连接。",
        "长三角科技资源共享服务平台向社会开放了价值超过六百亿元的仪器设备。",
    ];

    public static readonly string[] EnglishHeadings = ["Introduction", "Scope of the Regulation", "Obligations for Providers", "Penalties"];

    public static readonly string[] ArabicHeadings = ["مقدمة", "نطاق التطبيق", "التزامات المزودين", "العقوبات"];

    public static readonly string[] ChineseHeadings = ["引言", "适用范围", "提供者的义务", "处罚"];

    /// <summary>A document of sections (heading line + paragraphs); some paragraphs are far longer than MaxChars.</summary>
    public static (string Text, List<HeadingSpan> Headings) Document(string[] headings, string[] sentences, string separator, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder();
        var spans = new List<HeadingSpan>();
        builder.Append(Paragraph(sentences, separator, random, 3)).Append("\n\n");
        foreach (var heading in headings)
        {
            spans.Add(new HeadingSpan(builder.Length, builder.Length + heading.Length, 2));
            builder.Append(heading).Append('\n');
            var paragraphs = random.Next(2, 6);
            for (var p = 0; p < paragraphs; p++)
            {
                var count = p == 1 ? random.Next(25, 60) : random.Next(1, 8);
                builder.Append(Paragraph(sentences, separator, random, count)).Append(p % 2 == 0 ? "\n\n" : "\n");
            }
        }
        return (builder.ToString(), spans);
    }

    public static string Paragraph(string[] sentences, string separator, Random random, int count)
    {
        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            parts[i] = sentences[random.Next(sentences.Length)];
        }
        return string.Join(separator, parts);
    }

    public static bool IsCjk(char c) => SentenceBoundaries.IsCjk(c) || c is (>= '\u3000' and <= '\u303F') or (>= '\uFF00' and <= '\uFFEF');

    /// <summary>A chunk edge at <paramref name="position"/> lies at the text's edge, beside white space or punctuation, or beside a CJK character, and never inside a surrogate pair.</summary>
    public static bool IsWordBoundary(string text, int position)
    {
        if (position == 0 || position == text.Length)
        {
            return true;
        }
        if (char.IsLowSurrogate(text[position]))
        {
            return false;
        }
        char before = text[position - 1], after = text[position];
        return IsSpace(before) || IsSpace(after) || char.IsPunctuation(before) || char.IsPunctuation(after)
            || IsCjk(before) || IsCjk(after) || char.IsLowSurrogate(before);
    }

    public static void AssertInvariants(string text, IReadOnlyList<TextChunk> chunks, ChunkingOptions options)
    {
        var previousEnd = 0;
        var previousStart = -1;
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var where = string.Create(CultureInfo.InvariantCulture, $"chunk {i} [{chunk.Start}..{chunk.End})");
            Assert.Equal(i, chunk.Ordinal);
            Assert.InRange(chunk.Start, 0, text.Length - 1);
            Assert.InRange(chunk.End, chunk.Start + 1, text.Length);
            Assert.Equal(text[chunk.Start..chunk.End], chunk.Text);
            Assert.False(char.IsWhiteSpace(chunk.Text[0]), where + " starts with white space");
            Assert.False(char.IsWhiteSpace(chunk.Text[^1]), where + " ends with white space");
            Assert.True(chunk.Start > previousStart, where + " does not start after the previous chunk");
            Assert.True(IsWordBoundary(text, chunk.Start), where + " starts inside a word: " + Excerpt(text, chunk.Start));
            Assert.True(IsWordBoundary(text, chunk.End), where + " ends inside a word: " + Excerpt(text, chunk.End));
            var (size, max, unit) = options.TargetTokens > 0
                ? (TokenizerFactory.Default.CountTokens(chunk.Text), options.MaxTokens, "tokens")
                : (chunk.Text.Length, options.MaxChars, "chars");
            Assert.True(size <= max || !chunk.Text.Any(char.IsWhiteSpace), where + $" has {size} {unit} > {max} and is not a single word: " + Escape(chunk.Text));
            // Nothing but white space is left out between chunks.
            if (chunk.Start > previousEnd)
            {
                Assert.True(IsBlank(text[previousEnd..chunk.Start]), where + " leaves text out before it");
            }
            previousEnd = Math.Max(previousEnd, chunk.End);
            previousStart = chunk.Start;
        }
        Assert.True(IsBlank(text[previousEnd..]), "text after the last chunk is left out");
    }

    /// <summary>White space, the zero-width space and the byte-order mark only.</summary>
    public static bool IsBlank(string text) => text.All(IsSpace);

    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is '\u200B' or '\uFEFF';

    private static string Escape(string text) =>
        text.Length > 400 ? text[..400].ReplaceLineEndings("⏎") + "…" : text.ReplaceLineEndings("⏎");

    private static string Excerpt(string text, int position) =>
        "…" + text[Math.Max(0, position - 20)..position] + "|" + text[position..Math.Min(text.Length, position + 20)] + "…";
}
