using System.Text;
using PolicyChat.Core.Chunking;
using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Tests.Chunking;

public sealed class ChunkerTests
{
    private static readonly ChunkingOptions s_small = new() { TargetTokens = 0, TargetChars = 300, MaxChars = 450, OverlapSentences = 1 };

    public static TheoryData<string, int, bool> Languages => new()
    {
        { "en", 1, true }, { "en", 2, false }, { "ar", 3, true }, { "ar", 4, false }, { "zh", 5, true }, { "zh", 6, false },
    };

    private static (string Text, List<HeadingSpan> Headings) Sample(string language, int seed) => language switch
    {
        "en" => ChunkSamples.Document(ChunkSamples.EnglishHeadings, ChunkSamples.EnglishSentences, " ", seed),
        "ar" => ChunkSamples.Document(ChunkSamples.ArabicHeadings, ChunkSamples.ArabicSentences, " ", seed),
        _ => ChunkSamples.Document(ChunkSamples.ChineseHeadings, ChunkSamples.ChineseSentences, "", seed),
    };

    [Theory]
    [MemberData(nameof(Languages))]
    public void Split_SampleDocument_OffsetsMatchTextAndLimitsHold(string language, int seed, bool readerHeadings)
    {
        var (text, headings) = Sample(language, seed);
        foreach (var options in new[] { new ChunkingOptions(), s_small, s_small with { OverlapSentences = 0 }, s_small with { OverlapSentences = 2 } })
        {
            var chunks = new Chunker(options).Split(text, readerHeadings ? headings : null);

            Assert.True(chunks.Count >= 4, $"{language}: expected several chunks, got {chunks.Count}");
            ChunkSamples.AssertInvariants(text, chunks, options);
        }
    }

    [Fact]
    public void Split_CorpusFiles_OffsetsMatchTextAndLimitsHold()
    {
        var files = Directory.Exists(TestPaths.Corpus) ? Directory.GetFiles(TestPaths.Corpus, "*.txt") : [];
        Assert.True(files.Length >= 5, $"expected at least 5 sample files in {TestPaths.Corpus}, found {files.Length}");
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (var options in new[] { new ChunkingOptions(), s_small, new ChunkingOptions { TargetTokens = 0, TargetChars = 120, MaxChars = 160 } })
            {
                var chunks = new Chunker(options).Split(text);

                Assert.NotEmpty(chunks);
                ChunkSamples.AssertInvariants(text, chunks, options);
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\n\t \r\n")]
    [InlineData("\u00A0\u200B\uFEFF")]
    public void Split_EmptyOrWhiteSpace_ReturnsNoChunks(string text)
    {
        Assert.Empty(new Chunker(new ChunkingOptions()).Split(text));
        Assert.Empty(new Chunker(new ChunkingOptions()).Split(text, []));
    }

    [Fact]
    public void Split_ShortText_OneTrimmedChunk()
    {
        const string Text = "\n\n  The law applies to everyone.  \n";

        var chunk = Assert.Single(new Chunker(new ChunkingOptions()).Split(Text));

        Assert.Equal("The law applies to everyone.", chunk.Text);
        Assert.Equal(Text.IndexOf('T', StringComparison.Ordinal), chunk.Start);
        Assert.Null(chunk.Heading);
    }

    [Fact]
    public void Split_ReaderHeadings_EachHeadingStartsAChunkAndNamesFollowingChunks()
    {
        var (text, headings) = ChunkSamples.Document(ChunkSamples.EnglishHeadings, ChunkSamples.EnglishSentences, " ", 11);

        var chunks = new Chunker(s_small).Split(text, headings);

        foreach (var heading in headings)
        {
            var headingText = text[heading.Start..heading.End];
            var first = Assert.Single(chunks, c => c.Start == heading.Start);
            Assert.Equal(headingText, first.Heading);
            Assert.StartsWith(headingText + "\n", first.Text, StringComparison.Ordinal);
        }
        foreach (var chunk in chunks)
        {
            var above = headings.LastOrDefault(h => h.Start <= chunk.Start);
            Assert.Equal(above is null ? null : text[above.Start..above.End], chunk.Heading);
            // A chunk never crosses into the next section.
            Assert.DoesNotContain(headings, h => h.Start > chunk.Start && h.Start < chunk.End);
        }
        Assert.Null(chunks[0].Heading);
    }

    [Fact]
    public void Split_ConsecutiveReaderHeadings_OpenOneChunkNamedByTheNearest()
    {
        const string Text = "Part One\nChapter 1\nThe body of chapter one.\nChapter 2\nThe body of chapter two.";
        HeadingSpan[] headings = [Span(Text, "Part One", 1), Span(Text, "Chapter 1", 2), Span(Text, "Chapter 2", 2)];

        var chunks = new Chunker(new ChunkingOptions()).Split(Text, headings);

        Assert.Equal(2, chunks.Count);
        Assert.Equal("Part One\nChapter 1\nThe body of chapter one.", chunks[0].Text);
        Assert.Equal("Chapter 1", chunks[0].Heading);
        Assert.Equal("Chapter 2\nThe body of chapter two.", chunks[1].Text);
        Assert.Equal("Chapter 2", chunks[1].Heading);
    }

    [Fact]
    public void Split_TrailingHeadingWithoutBody_IsItsOwnChunk()
    {
        const string Text = "Body text here.\nAnnex";
        var chunks = new Chunker(new ChunkingOptions()).Split(Text, [Span(Text, "Annex", 1)]);

        Assert.Equal(["Body text here.", "Annex"], chunks.Select(c => c.Text));
        Assert.Equal([null, "Annex"], chunks.Select(c => c.Heading));
    }

    [Theory]
    [InlineData("Introduction\nThe regulation sets rules for AI systems.\n\nScope of the law\nIt applies to providers and deployers.", "Introduction", "Scope of the law")]
    [InlineData("مقدمة\nتضع اللائحة قواعد لأنظمة الذكاء الاصطناعي.\n\nنطاق القانون\nتنطبق على المزودين والمستخدمين.", "مقدمة", "نطاق القانون")]
    [InlineData("引言\n该条例为人工智能系统制定了规则。\n适用范围\n它适用于提供者和部署者。", "引言", "适用范围")]
    [InlineData("Preface text ends here.\nKey Facts\n- The plan covers 200 projects.\n# Markdown heading\nMore text.", "Key Facts", "# Markdown heading")]
    public void Split_PlainTextHeadings_DetectedAndStartChunks(string text, string first, string second)
    {
        var chunks = new Chunker(new ChunkingOptions()).Split(text);

        var firstChunk = Assert.Single(chunks, c => c.Start == text.IndexOf(first, StringComparison.Ordinal));
        var secondChunk = Assert.Single(chunks, c => c.Start == text.IndexOf(second, StringComparison.Ordinal));
        // A Markdown heading's marker is not part of its name.
        Assert.Equal(first.TrimStart('#', ' '), firstChunk.Heading);
        Assert.Equal(second.TrimStart('#', ' '), secondChunk.Heading);
        Assert.Equal(secondChunk.Ordinal, firstChunk.Ordinal + 1);
    }

    [Theory]
    [InlineData("This line ends with a period.\nAnother line follows it.")]
    [InlineData("The plan includes:\nTwo hundred open-source projects.")]
    [InlineData("- first item without a period\n- second item, with a period.")]
    [InlineData("the policy will be applied to all\ncompanies in the region by 2027.")]
    [InlineData("A paragraph sentence.\nA short last line")]
    [InlineData("هل يطبق القانون على الجميع؟\nنعم، يطبق على الجميع.")]
    [InlineData("2025 06:18\nنص الخبر هنا.")]
    public void Split_PlainTextNonHeadings_AreNotDetected(string text)
    {
        var chunk = Assert.Single(new Chunker(new ChunkingOptions()).Split(text));

        Assert.Null(chunk.Heading);
        Assert.Equal(text, chunk.Text);
    }

    [Fact]
    public void Split_PlainTextLineLongerThan100Chars_IsNotAHeading()
    {
        var longLine = string.Join(' ', Enumerable.Repeat("policy", 20));
        Assert.True(longLine.Length > Chunker.MaxHeadingChars);
        var text = longLine + "\nThe next paragraph ends here.";

        var chunk = Assert.Single(new Chunker(new ChunkingOptions()).Split(text));

        Assert.Null(chunk.Heading);
    }

    [Fact]
    public void Split_ParagraphsBeyondTarget_NextChunkStartsWithLastSentenceOfPrevious()
    {
        var text = NumberedParagraphs(paragraphs: 12, sentencesPerParagraph: 3);
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 300, MaxChars = 450, OverlapSentences = 1 };

        var chunks = new Chunker(options).Split(text);

        Assert.True(chunks.Count >= 4);
        ChunkSamples.AssertInvariants(text, chunks, options);
        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start < chunks[i - 1].End, $"chunk {i} does not overlap the previous one");
            var overlap = text[chunks[i].Start..chunks[i - 1].End];
            Assert.Matches(@"^Sentence \d+ is about rule \d+\.$", overlap);
            Assert.EndsWith(overlap, chunks[i - 1].Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Split_TwoOverlapSentences_RepeatsLastTwoSentences()
    {
        var text = NumberedParagraphs(paragraphs: 12, sentencesPerParagraph: 3);
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 300, MaxChars = 450, OverlapSentences = 2 };

        var chunks = new Chunker(options).Split(text);

        for (var i = 1; i < chunks.Count; i++)
        {
            var overlap = text[chunks[i].Start..chunks[i - 1].End];
            Assert.Matches(@"^Sentence \d+ is about rule \d+\.\s+Sentence \d+ is about rule \d+\.$", overlap);
        }
    }

    [Fact]
    public void Split_OverlapDisabled_ChunksAreDisjoint()
    {
        var text = NumberedParagraphs(paragraphs: 12, sentencesPerParagraph: 3);
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 300, MaxChars = 450, OverlapSentences = 0 };

        var chunks = new Chunker(options).Split(text);

        Assert.True(chunks.Count >= 4);
        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start >= chunks[i - 1].End);
        }
    }

    [Fact]
    public void Split_LastSentenceLongerThanHalfTarget_NoOverlap()
    {
        var longSentence = "This sentence is deliberately long so that it exceeds half of the target size of the chunk.";
        var text = string.Join("\n", Enumerable.Range(0, 6).Select(i => $"Short {i}. " + longSentence));
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 150, MaxChars = 200, OverlapSentences = 1 };
        Assert.True(longSentence.Length >= options.TargetChars / 2);

        var chunks = new Chunker(options).Split(text);

        Assert.True(chunks.Count >= 3);
        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start >= chunks[i - 1].End);
        }
    }

    [Fact]
    public void Split_ChunkAfterHeading_DoesNotOverlapPreviousSection()
    {
        var first = NumberedParagraphs(paragraphs: 4, sentencesPerParagraph: 3);
        var text = "Section A\n" + first + "\nSection B\n" + first;
        HeadingSpan[] headings = [Span(text, "Section A", 1), Span(text, "Section B", 1)];
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 300, MaxChars = 450, OverlapSentences = 1 };

        var chunks = new Chunker(options).Split(text, headings);

        var sectionB = Assert.Single(chunks, c => c.Heading == "Section B" && c.Text.StartsWith("Section B", StringComparison.Ordinal));
        Assert.True(sectionB.Start >= chunks[sectionB.Ordinal - 1].End);
        Assert.Contains(chunks, c => c.Ordinal > 0 && c.Heading == "Section A" && c.Start < chunks[c.Ordinal - 1].End);
    }

    [Fact]
    public void Split_LongEnglishParagraph_BreaksOnlyAtSentenceEnds()
    {
        var text = ChunkSamples.Paragraph(ChunkSamples.EnglishSentences, " ", new Random(7), 80);
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 400, MaxChars = 600, OverlapSentences = 0 };

        var chunks = new Chunker(options).Split(text);

        Assert.True(chunks.Count >= 5);
        ChunkSamples.AssertInvariants(text, chunks, options);
        // ";" ends a sentence too; "3.5", "U.S.", "e.g." and "Dr." do not.
        var sentences = ChunkSamples.EnglishSentences.SelectMany(s => s.Replace("; ", ";\n", StringComparison.Ordinal).Split('\n')).ToHashSet();
        foreach (var chunk in chunks)
        {
            // Every chunk is a run of whole sentences.
            var remaining = chunk.Text;
            while (remaining.Length > 0)
            {
                var sentence = sentences.FirstOrDefault(s => remaining.StartsWith(s, StringComparison.Ordinal));
                Assert.True(sentence is not null, "chunk does not start with a whole sentence: " + remaining[..Math.Min(60, remaining.Length)]);
                remaining = remaining[sentence.Length..].TrimStart();
            }
        }
    }

    [Fact]
    public void Split_LongArabicSentenceWithCommasOnly_BreaksAfterArabicCommas()
    {
        var clause = "وتشمل الخطة تدريب المهندسين وبناء مراكز البيانات وتطوير النماذج";
        var text = string.Join("، ", Enumerable.Repeat(clause, 40)) + ".";
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 300, MaxChars = 400, OverlapSentences = 1 };

        var chunks = new Chunker(options).Split(text);

        Assert.True(chunks.Count >= 8);
        ChunkSamples.AssertInvariants(text, chunks, options);
        foreach (var chunk in chunks.Take(chunks.Count - 1))
        {
            Assert.EndsWith("،", chunk.Text, StringComparison.Ordinal);
        }
        Assert.EndsWith(".", chunks[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_ArabicPunctuation_BreaksAtQuestionMarkAndSemicolon()
    {
        var text = string.Concat(Enumerable.Repeat("هل يطبق القانون على الشركات الناشئة؟ نعم؛ ويطبق أيضا على الشركات الكبرى. ", 30)).Trim();
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 200, MaxChars = 300, OverlapSentences = 0 };

        var chunks = new Chunker(options).Split(text);

        Assert.True(chunks.Count >= 5);
        ChunkSamples.AssertInvariants(text, chunks, options);
        Assert.All(chunks, c => Assert.Contains(c.Text[^1], "؟؛."));
        Assert.Contains(chunks, c => c.Text[^1] is '؟' or '؛');
    }

    [Fact]
    public void Split_ChineseWithPunctuation_BreaksAtCjkPunctuation()
    {
        var text = ChunkSamples.Paragraph(ChunkSamples.ChineseSentences, "", new Random(3), 60);
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 200, MaxChars = 300, OverlapSentences = 1 };

        var chunks = new Chunker(options).Split(text);

        Assert.True(chunks.Count >= 5);
        ChunkSamples.AssertInvariants(text, chunks, options);
        Assert.All(chunks, c => Assert.Contains(c.Text[^1], "。！？；"));
    }

    [Fact]
    public void Split_ChineseWithoutPunctuationOrSpaces_BreaksBetweenCharactersNotInsideSurrogatePairs()
    {
        // U+20000..U+2000F are CJK Extension B ideographs: surrogate pairs in UTF-16.
        var builder = new StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            builder.Append(i % 3 == 0 ? char.ConvertFromUtf32(0x20000 + (i % 16)) : "数据");
        }
        var text = builder.ToString();
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 300, MaxChars = 400, OverlapSentences = 1 };

        var chunks = new Chunker(options).Split(text);

        Assert.True(chunks.Count >= text.Length / 400);
        ChunkSamples.AssertInvariants(text, chunks, options);
        Assert.All(chunks, c => Assert.InRange(c.Text.Length, 1, options.MaxChars));
        Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c.Text[^1])));
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
    }

    [Fact]
    public void Split_HugeParagraphWithoutPunctuation_BreaksAtSpacesWithinMax()
    {
        var words = new[] { "policy", "سياسة", "regulation", "تنظيم", "data", "البيانات", "governance" };
        var random = new Random(5);
        var text = string.Join(' ', Enumerable.Range(0, 8000).Select(_ => words[random.Next(words.Length)]));
        var options = new ChunkingOptions { TargetTokens = 0 };

        var chunks = new Chunker(options).Split(text);

        Assert.True(chunks.Count >= text.Length / options.MaxChars);
        ChunkSamples.AssertInvariants(text, chunks, options);
        foreach (var chunk in chunks)
        {
            Assert.InRange(chunk.Text.Length, 1, options.MaxChars);
            Assert.True(chunk.Start == 0 || text[chunk.Start - 1] == ' ');
            Assert.True(chunk.End == text.Length || text[chunk.End] == ' ');
        }
    }

    [Fact]
    public void Split_SingleTokenLongerThanMax_KeptWhole()
    {
        var token = "https://example.org/" + new string('a', 2000);
        var text = "See the source.\n" + token + "\nThat was the link.";
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 300, MaxChars = 400 };

        var chunks = new Chunker(options).Split(text);

        Assert.Contains(chunks, c => c.Text == token);
        ChunkSamples.AssertInvariants(text, chunks, options);
    }

    [Fact]
    public void Split_HeadingFollowedByParagraphNearMax_SplitsParagraphToKeepMax()
    {
        var paragraph = string.Join(' ', Enumerable.Repeat("The authority reviews the filing within thirty days.", 8));
        var options = new ChunkingOptions { TargetTokens = 0, TargetChars = 300, MaxChars = paragraph.Length + 5 };
        var text = "Review Procedure\n" + paragraph;

        var chunks = new Chunker(options).Split(text, [Span(text, "Review Procedure", 1)]);

        Assert.True(chunks.Count >= 2);
        Assert.StartsWith("Review Procedure\nThe authority", chunks[0].Text, StringComparison.Ordinal);
        ChunkSamples.AssertInvariants(text, chunks, options);
    }

    [Fact]
    public void Split_CrLfAndReaderHeadingsOutOfOrderOrInvalid_StillConsistent()
    {
        const string Text = "Title\r\nFirst paragraph.\r\n\r\nSecond\r\nSecond paragraph.";
        HeadingSpan[] headings =
        [
            Span(Text, "Second", 2), Span(Text, "Title", 1), new HeadingSpan(-5, 2, 1), new HeadingSpan(40, 999, 1), new HeadingSpan(3, 3, 1),
        ];

        var chunks = new Chunker(new ChunkingOptions()).Split(Text, headings);

        ChunkSamples.AssertInvariants(Text, chunks, new ChunkingOptions());
        Assert.Equal("Title\r\nFirst paragraph.", chunks[0].Text);
        Assert.Equal("Title", chunks[0].Heading);
        Assert.Contains(chunks, c => c.Text.StartsWith("Second\r\nSecond paragraph.", StringComparison.Ordinal) && c.Heading == "Second");
    }

    [Fact]
    public void Split_RandomMixedScriptText_InvariantsHold()
    {
        string[] atoms =
        [
            "policy", "AI", "3.5", "U.S.", "e.g.", "سياسة", "الذكاء", "数据", "安全", "𠀀", "😀", "é", "e\u0301", " ", " ", " ", "  ",
            "\n", "\n\n", "\r\n", "\t", ".", ". ", "!", "?", "؟", "؛", "،", ",", ", ", "。", "！", "，", "\"", "(", ")", "[1]", "-", "\u00A0", "\u200B",
        ];
        var random = new Random(42);
        for (var iteration = 0; iteration < 300; iteration++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 3000);
            while (builder.Length < length)
            {
                builder.Append(atoms[random.Next(atoms.Length)]);
            }
            var text = builder.ToString();
            var target = random.Next(20, 400);
            var options = new ChunkingOptions { TargetTokens = 0, TargetChars = target, MaxChars = target + random.Next(0, 200), OverlapSentences = random.Next(0, 3) };
            List<HeadingSpan>? headings = null;
            if (iteration % 2 == 1 && text.Length > 10)
            {
                // Readers mark whole lines as headings.
                headings = [];
                var lineStart = 0;
                foreach (var line in text.Split('\n'))
                {
                    if (random.Next(4) == 0)
                    {
                        headings.Add(new HeadingSpan(lineStart, lineStart + line.Length, 1));
                    }
                    lineStart += line.Length + 1;
                }
            }

            var chunks = new Chunker(options).Split(text, headings);

            ChunkSamples.AssertInvariants(text, chunks, options);
        }
    }

    [Theory]
    [InlineData(0, 100, 1)]
    [InlineData(200, 100, 1)]
    [InlineData(100, 200, -1)]
    public void Constructor_InvalidOptions_Throws(int target, int max, int overlap) =>
        Assert.Throws<ArgumentException>(() => new Chunker(new ChunkingOptions { TargetTokens = 0, TargetChars = target, MaxChars = max, OverlapSentences = overlap }));

    private static HeadingSpan Span(string text, string heading, int level)
    {
        var start = text.IndexOf(heading, StringComparison.Ordinal);
        return new HeadingSpan(start, start + heading.Length, level);
    }

    /// <summary>Paragraphs of numbered sentences "Sentence N is about rule M."; about 30 chars per sentence.</summary>
    private static string NumberedParagraphs(int paragraphs, int sentencesPerParagraph)
    {
        var n = 0;
        return string.Join("\n\n", Enumerable.Range(0, paragraphs).Select(p =>
            string.Join(' ', Enumerable.Range(0, sentencesPerParagraph).Select(_ => $"Sentence {++n} is about rule {(n * 7) % 13}."))));
    }
}
