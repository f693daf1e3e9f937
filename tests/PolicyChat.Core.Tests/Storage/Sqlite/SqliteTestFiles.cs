using System.Globalization;
using Microsoft.Data.Sqlite;
using PolicyChat.Core.Storage;
using PolicyChat.Core.Text;

namespace PolicyChat.Core.Tests.Storage.Sqlite;

/// <summary>Raw SQL on an index file, beside the store: to make old or damaged files and to read what a store wrote.</summary>
internal static class SqliteTestFiles
{
    public static SqliteConnection Connect(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public static void Execute(string path, string sql)
    {
        using var connection = Connect(path);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static string? Scalar(string path, string sql)
    {
        using var connection = Connect(path);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Each row's columns joined by '|' (NULL for null, blobs in base64).</summary>
    public static List<string> Rows(string path, string sql)
    {
        using var connection = Connect(path);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i) is byte[] b ? Convert.ToBase64String(b) : reader.GetValue(i), CultureInfo.InvariantCulture))));
        }
        return rows;
    }

    /// <summary>The query the retriever would send for <paramref name="question"/>: its terms and n-grams, five hits.</summary>
    public static IndexQuery Query(string question, FusionWeights weights)
    {
        var analyzed = TextAnalyzer.Default.AnalyzeForIndex(question);
        return new IndexQuery(analyzed.Terms, analyzed.CharNGrams, null, 5, Weights: weights);
    }
}
