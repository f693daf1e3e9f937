using PolicyChat.Core.Documents;

namespace PolicyChat.Core.Tests.Documents;

public sealed class MetadataExtractorTests
{
    // Language detection belongs to another component; these tests pass a fake and check it is used.
    private static string FakeDetect(string text) => text.Any(c => c is >= '\u0600' and <= '\u06FF') ? "ar" : "en";

    private static DocumentMetadata Extract(string text, string? formatTitle = null, string fileName = "doc.txt") =>
        MetadataExtractor.Extract(text, formatTitle, fileName, FakeDetect);

    [Theory]
    [InlineData("8 يناير 2025 06:18", "2025-01-08")]
    [InlineData("٨ يناير ٢٠٢٥", "2025-01-08")]
    [InlineData("الأربعاء 15 أغسطس 2024", "2024-08-15")]
    [InlineData("15 اغسطس 2024", "2024-08-15")]
    [InlineData("1 ابريل 2023", "2023-04-01")]
    [InlineData("3 كانون الثاني 2024", "2024-01-03")]
    [InlineData("3 كانون الأول 2024", "2024-12-03")]
    [InlineData("20 تشرين الأول 2022", "2022-10-20")]
    [InlineData("9 آب 2021", "2021-08-09")]
    [InlineData("9 شباط، 2021", "2021-02-09")]
    [InlineData("٢٩ أيلول ٢٠٢٠", "2020-09-29")]
    [InlineData("January 8, 2025", "2025-01-08")]
    [InlineData("Published: Jan. 8, 2025", "2025-01-08")]
    [InlineData("8 Jan 2025", "2025-01-08")]
    [InlineData("Updated 2025-11-04 22:06", "2025-11-04")]
    [InlineData("2025/3/7", "2025-03-07")]
    public void Extract_DateLineAtTop_ReturnsIsoDate(string dateLine, string expected)
    {
        var metadata = Extract($"عنوان الخبر هنا\n{dateLine}\nنص الخبر الطويل.");

        Assert.Equal(expected, metadata.Date);
    }

    [Theory]
    [InlineData("31 فبراير 2025")]
    [InlineData("04/11/2025")]
    [InlineData("في 24 فبراير")]
    public void Extract_ImpossibleOrAmbiguousDate_ReturnsNull(string dateLine)
    {
        Assert.Null(Extract($"Headline words here\n{dateLine}\nBody.").Date);
    }

    [Fact]
    public void Extract_DateOnlyInsideLongBodyParagraph_ReturnsNull()
    {
        var body = "أعلنت الحكومة في 23 فبراير 2025 عن خطة جديدة لتطوير البنية التحتية الرقمية في جميع أنحاء البلاد، مع التركيز على مراكز البيانات والذكاء الاصطناعي.";

        Assert.Null(Extract("عنوان الخبر\n" + body).Date);
    }

    [Fact]
    public void Extract_DateBeyondFirstTenLines_ReturnsNull()
    {
        var lines = Enumerable.Range(1, 12).Select(i => $"سطر رقم {i} من النص").Append("8 يناير 2025");

        Assert.Null(Extract(string.Join('\n', lines)).Date);
    }

    [Theory]
    [InlineData("Ren Min Ri Bao·2025-11-04 22:06", "Ren Min Ri Bao")]
    [InlineData("2025-11-04 | Reuters", "Reuters")]
    [InlineData("المصدر: وكالة الأنباء", "وكالة الأنباء")]
    [InlineData("Source: The Policy Times", "The Policy Times")]
    public void Extract_OutletLine_ReturnsOutlet(string line, string expected)
    {
        Assert.Equal(expected, Extract($"Headline of the story\n{line}\nBody text.").Outlet);
    }

    [Fact]
    public void Extract_ShortLineRepeatedTwiceAtTop_IsOutlet()
    {
        var metadata = Extract("8 يناير 2025 06:18\nسيناء الإخبارية\nسيناء الإخبارية\n\nتحالف جديد في الذكاء الاصطناعي\n\nنص الخبر.");

        Assert.Equal("سيناء الإخبارية", metadata.Outlet);
        Assert.Equal("2025-01-08", metadata.Date);
        Assert.Equal("تحالف جديد في الذكاء الاصطناعي", metadata.Title);
        Assert.Equal("ar", metadata.Language);
    }

    [Fact]
    public void Extract_NoOutletStated_ReturnsNull()
    {
        Assert.Null(Extract("الصين تريد بناء مجتمع الفضاء الإلكتروني العالمي\n\nقال الرئيس الصيني اليوم الاثنين إن الصين مستعدة.").Outlet);
    }

    [Fact]
    public void Extract_EnglishArticle_SkipsLabelsAndFindsHeadlineDateOutlet()
    {
        var metadata = Extract("Workflow\n越开放,越活跃,越发展(现场评论)\nRen Min Ri Bao·2025-11-04 22:06\n\nCore Viewpoint - open source.");

        Assert.Equal("越开放,越活跃,越发展(现场评论)", metadata.Title);
        Assert.Equal("2025-11-04", metadata.Date);
        Assert.Equal("Ren Min Ri Bao", metadata.Outlet);
        Assert.Equal("en", metadata.Language);
    }

    [Theory]
    [InlineData("المؤلف: يو شاوتشينغ\nالعنوان الحقيقي للمقال\nنص.", "العنوان الحقيقي للمقال")]
    [InlineData("By Jane Doe\nThe real headline\nText.", "The real headline")]
    [InlineData("حقائق رئيسية\n- نقطة أولى في القائمة\nخارطة الطريق نحو الاستقلال\nنص.", "خارطة الطريق نحو الاستقلال")]
    [InlineData("This first line is a full sentence that ends with a period.\nSecond line is a headline\n", "Second line is a headline")]
    public void Extract_NonHeadlineLines_AreSkippedForTitle(string text, string expected)
    {
        Assert.Equal(expected, Extract(text).Title);
    }

    [Fact]
    public void Extract_NoPlausibleHeadline_FallsBackToFileName()
    {
        var longLine = new string('ب', 150) + " " + new string('ت', 100);

        Assert.Equal("report-2025", Extract(longLine, fileName: "/data/report-2025.txt").Title);
    }

    [Fact]
    public void Extract_ShortLineAfterBodyParagraph_IsNotTitle()
    {
        var paragraph = string.Concat(Enumerable.Repeat("الاقتصاد الصيني بعيد كل البعد عن الخروج من الحضيض، ", 6));
        var text = $"المؤلف: يو شاوتشينغ\n{paragraph}\nالاجتماع السنوي لمنتدى التنمية الصيني 2024\n{paragraph}";

        Assert.Equal("002_analysis", Extract(text, fileName: "002_analysis.txt").Title);
    }

    [Fact]
    public void Extract_FormatTitle_Wins()
    {
        Assert.Equal("Stated title", Extract("Another headline here\nBody", formatTitle: "  Stated   title ").Title);
    }

    [Fact]
    public void Extract_ExtractedDocumentWithFrontMatter_StatedValuesWin()
    {
        var document = new ExtractedDocument("Headline words\n8 Jan 2025\nSource: Derived Outlet\nBody.", "Front title", "markdown", [])
        {
            Date = "2024-02-02",
            Language = "ZH",
        };

        var metadata = MetadataExtractor.Extract(document, "a.md", FakeDetect);

        Assert.Equal(new DocumentMetadata("Front title", "zh", "2024-02-02", "Derived Outlet"), metadata);
    }

    [Fact]
    public void Extract_LanguageDetector_ReceivesTheText()
    {
        string? seen = null;

        var metadata = MetadataExtractor.Extract("نص عربي", null, "a.txt", text => { seen = text; return "xx"; });

        Assert.Equal("نص عربي", seen);
        Assert.Equal("xx", metadata.Language);
    }
}
