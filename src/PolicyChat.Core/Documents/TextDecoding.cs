using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace PolicyChat.Core.Documents;

/// <summary>Strict decoding of text files (UTF-8 with or without BOM, UTF-16 LE/BE with BOM) and canonical text.</summary>
internal static class TextDecoding
{
    internal readonly record struct Decoded(string? Text, ReadProblem? Problem, string? Reason)
    {
        public static Decoded Success(string text) => new(text, null, null);

        public static Decoded Failure(ReadProblem problem, string reason) => new(null, problem, reason);
    }

    /// <summary>Decodes raw bytes. The result is already canonical (<see cref="Canonicalize"/>).</summary>
    public static Decoded Decode(ReadOnlySpan<byte> bytes)
    {
        string text;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            var utf8 = DecodeUtf8(bytes[3..], 3);
            if (utf8.Text is null)
            {
                return utf8;
            }
            text = utf8.Text;
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            var utf16 = DecodeUtf16(bytes[2..], bigEndian: false);
            if (utf16.Text is null)
            {
                return utf16;
            }
            text = utf16.Text;
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            var utf16 = DecodeUtf16(bytes[2..], bigEndian: true);
            if (utf16.Text is null)
            {
                return utf16;
            }
            text = utf16.Text;
        }
        else
        {
            if (bytes.Contains((byte)0))
            {
                if (Utf16WithoutBom(bytes) is not { } bigEndian)
                {
                    return Decoded.Failure(ReadProblem.Binary, "binary file");
                }
                var utf16 = DecodeUtf16(bytes, bigEndian, bomLength: 0);
                if (utf16.Text is null)
                {
                    return utf16;
                }
                text = utf16.Text;
            }
            else
            {
                var utf8 = DecodeUtf8(bytes, 0);
                if (utf8.Text is null)
                {
                    return utf8;
                }
                text = utf8.Text;
            }
        }

        if (LooksBinary(text))
        {
            return Decoded.Failure(ReadProblem.Binary, "binary file");
        }
        return Decoded.Success(Canonicalize(text));
    }

    /// <summary>
    /// UTF-16 text saved without a byte-order mark (Windows "Unicode" from some tools). The NUL bytes of its ASCII
    /// characters (spaces, digits, Latin letters) fall mostly on odd offsets in little-endian and even ones in
    /// big-endian text; read in that byte order, at least 98% of the code units must be letters, marks, digits, punctuation,
    /// symbols or whitespace, with no control character. Returns the byte order (true = big-endian) or null.
    /// </summary>
    internal static bool? Utf16WithoutBom(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || bytes.Length % 2 != 0)
        {
            return null;
        }
        int even = 0, odd = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == 0)
            {
                if (i % 2 == 0)
                {
                    even++;
                }
                else
                {
                    odd++;
                }
            }
        }
        bool bigEndian;
        // Characters like U+4E00 put a NUL on the other side: the clear majority decides.
        if (odd > 4 * even)
        {
            bigEndian = false;
        }
        else if (even > 4 * odd)
        {
            bigEndian = true;
        }
        else
        {
            return null;
        }
        return PlausibleShare(bytes, bigEndian) >= 0.98 ? bigEndian : null;
    }

    private static double PlausibleShare(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        var count = bytes.Length / 2;
        var plausible = 0;
        for (var i = 0; i < count; i++)
        {
            var c = ReadUnit(bytes, i, bigEndian);
            if (c is '\n' or '\r' or '\t' or '\f')
            {
                plausible++;
                continue;
            }
            if (char.IsControl(c))
            {
                return 0;
            }
            if (char.IsSurrogate(c))
            {
                plausible++;
                continue;
            }
            switch (char.GetUnicodeCategory(c))
            {
                case System.Globalization.UnicodeCategory.OtherNotAssigned:
                case System.Globalization.UnicodeCategory.PrivateUse:
                    break;
                default:
                    plausible++;
                    break;
            }
        }
        return plausible / (double)count;
    }

    /// <summary>
    /// Canonical document text: a leading BOM removed, CRLF and CR turned into LF, form feed and vertical tab turned
    /// into LF (they separate pages or lines), NUL, DEL and the other C0 controls except LF and TAB removed.
    /// Everything else, including Unicode, is left as is.
    /// </summary>
    public static string Canonicalize(string text)
    {
        var start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var sb = new StringBuilder(text.Length);
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\r':
                    sb.Append('\n');
                    if (i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }
                    break;
                case '\n' or '\t':
                    sb.Append(c);
                    break;
                case '\f' or '\v':
                    sb.Append('\n');
                    break;
                case < ' ' or '\u007F':
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static Decoded DecodeUtf8(ReadOnlySpan<byte> bytes, int byteOffset)
    {
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(1, bytes.Length));
        try
        {
            var status = Utf8.ToUtf16(bytes, buffer, out var read, out var written, replaceInvalidSequences: false, isFinalBlock: true);
            if (status != OperationStatus.Done)
            {
                return Decoded.Failure(ReadProblem.InvalidEncoding, $"invalid UTF-8 at byte {byteOffset + read}");
            }
            return Decoded.Success(new string(buffer, 0, written));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static Decoded DecodeUtf16(ReadOnlySpan<byte> bytes, bool bigEndian, int bomLength = 2)
    {
        if (bytes.Length % 2 != 0)
        {
            return Decoded.Failure(ReadProblem.InvalidEncoding, $"invalid UTF-16 at byte {bomLength + bytes.Length - 1}: odd number of bytes");
        }
        var count = bytes.Length / 2;
        for (var i = 0; i < count; i++)
        {
            var unit = ReadUnit(bytes, i, bigEndian);
            if (char.IsHighSurrogate(unit))
            {
                if (i + 1 < count && char.IsLowSurrogate(ReadUnit(bytes, i + 1, bigEndian)))
                {
                    i++;
                    continue;
                }
                return Decoded.Failure(ReadProblem.InvalidEncoding, $"invalid UTF-16 at byte {bomLength + (2 * i)}");
            }
            if (char.IsLowSurrogate(unit))
            {
                return Decoded.Failure(ReadProblem.InvalidEncoding, $"invalid UTF-16 at byte {bomLength + (2 * i)}");
            }
        }
        var encoding = bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode;
        return Decoded.Success(encoding.GetString(bytes));
    }

    private static char ReadUnit(ReadOnlySpan<byte> bytes, int index, bool bigEndian) =>
        bigEndian ? (char)((bytes[2 * index] << 8) | bytes[(2 * index) + 1]) : (char)(bytes[2 * index] | (bytes[(2 * index) + 1] << 8));

    /// <summary>Text whose control characters (other than TAB, LF, CR, FF, VT) exceed 1% (at least 3 of them) is binary.</summary>
    private static bool LooksBinary(string text)
    {
        var controls = 0;
        foreach (var c in text)
        {
            if ((c < ' ' && c is not ('\t' or '\n' or '\r' or '\f' or '\v')) || c == '\u007F')
            {
                controls++;
            }
        }
        return controls >= 3 && controls * 100L > text.Length;
    }
}
