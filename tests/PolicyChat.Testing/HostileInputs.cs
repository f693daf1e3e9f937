using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace PolicyChat.Testing;

/// <summary>
/// Builds the inputs that real folders contain and that must not take ingestion down: .docx zip bombs, symbolic-link
/// loops, links out of the folder (/etc/passwd, /dev/zero), a FIFO, UTF-16 without a byte-order mark and file names
/// with newlines, tabs and bidi controls. Shared by the tests and the hostile-ingest benchmark.
/// </summary>
public static class HostileInputs
{
    private const string ContentTypes =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>" +
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
        "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>" +
        "<Default Extension=\"xml\" ContentType=\"application/xml\"/>" +
        "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>" +
        "</Types>";

    private const string Relationships =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>" +
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
        "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>" +
        "</Relationships>";

    /// <summary>
    /// A .docx whose word/document.xml expands to about <paramref name="expandedBytes"/>: one paragraph of repeated
    /// text, or (<paramref name="tinyParagraphs"/>) a flood of one-word paragraphs. Returns the compressed size.
    /// </summary>
    public static long WriteDocxBomb(string path, long expandedBytes, bool tinyParagraphs = false)
    {
        using (var file = File.Create(path))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            WriteEntry(zip, "[Content_Types].xml", ContentTypes);
            WriteEntry(zip, "_rels/.rels", Relationships);
            var entry = zip.CreateEntry("word/document.xml", CompressionLevel.SmallestSize);
            using var stream = entry.Open();
            var head = Encoding.UTF8.GetBytes(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" +
                (tinyParagraphs ? "" : "<w:p><w:r><w:t>"));
            var tail = Encoding.UTF8.GetBytes((tinyParagraphs ? "" : "</w:t></w:r></w:p>") + "</w:body></w:document>");
            var unit = tinyParagraphs ? "<w:p><w:r><w:t>سياسة</w:t></w:r></w:p>" : "policy data سياسة البيانات ";
            var block = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(unit, Math.Max(1, (1 << 20) / Encoding.UTF8.GetByteCount(unit)))));
            stream.Write(head);
            for (long written = head.Length; written < expandedBytes; written += block.Length)
            {
                stream.Write(block);
            }
            stream.Write(tail);
        }
        return new FileInfo(path).Length;
    }

    private static void WriteEntry(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(content);
    }

    /// <summary>UTF-16 bytes without a byte-order mark.</summary>
    public static byte[] Utf16WithoutBom(string text, bool bigEndian = false) =>
        (bigEndian ? new UnicodeEncoding(bigEndian: true, byteOrderMark: false) : new UnicodeEncoding(false, false)).GetBytes(text);

    /// <summary>A named pipe, made with mkfifo (as a user would).</summary>
    public static void MakeFifo(string path)
    {
        var info = new ProcessStartInfo("mkfifo") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add(path);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("mkfifo did not start");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("mkfifo failed: " + process.StandardError.ReadToEnd());
        }
    }

    /// <summary>The names with characters that could forge terminal output: newline, tab, right-to-left override.</summary>
    public static IReadOnlyList<string> TrickyNames { get; } =
    [
        "line\nbreak.txt",
        "tab\there.txt",
        "evil\u202Etxt.exe.txt",
        "isolate\u2066x\u2069.txt",
    ];

    /// <summary>
    /// Fills <paramref name="folder"/> with every hostile input (and one good file, good.txt). Bomb sizes are the
    /// expanded sizes of document.xml. Returns the names written, relative to the folder.
    /// </summary>
    public static IReadOnlyList<string> WriteFolder(string folder, long bombBytes)
    {
        Directory.CreateDirectory(folder);
        var names = new List<string>();
        void Text(string name, string content)
        {
            File.WriteAllText(Path.Combine(folder, name), content);
            names.Add(name);
        }

        Text("good.txt", "سياسة حماية البيانات الشخصية تلزم الجهات الحكومية بحفظ البيانات داخل المملكة.\n");
        WriteDocxBomb(Path.Combine(folder, "bomb-text.docx"), bombBytes);
        names.Add("bomb-text.docx");
        WriteDocxBomb(Path.Combine(folder, "bomb-paragraphs.docx"), bombBytes, tinyParagraphs: true);
        names.Add("bomb-paragraphs.docx");
        File.CreateSymbolicLink(Path.Combine(folder, "loop1"), ".");
        File.CreateSymbolicLink(Path.Combine(folder, "loop2"), ".");
        names.Add("loop1");
        names.Add("loop2");
        File.CreateSymbolicLink(Path.Combine(folder, "passwd.txt"), "/etc/passwd");
        names.Add("passwd.txt");
        File.CreateSymbolicLink(Path.Combine(folder, "zero.txt"), "/dev/zero");
        names.Add("zero.txt");
        MakeFifo(Path.Combine(folder, "pipe.txt"));
        names.Add("pipe.txt");
        File.WriteAllBytes(Path.Combine(folder, "utf16-nobom.txt"), Utf16WithoutBom("Data protection policy: حماية البيانات الشخصية.\n"));
        names.Add("utf16-nobom.txt");
        foreach (var name in TrickyNames)
        {
            Text(name, "A policy note filed under an awkward name.\n");
        }
        return names;
    }
}
