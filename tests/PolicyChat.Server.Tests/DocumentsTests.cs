using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace PolicyChat.Server.Tests;

/// <summary>Upload and delete (open server, 64 KB and 3-file upload limits).</summary>
public sealed class DocumentsTests(DocumentsServerFixture server) : IClassFixture<DocumentsServerFixture>
{
    private static ByteArrayContent File(string text, string mediaType = "text/plain")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    [Fact]
    public async Task Upload_TwoFiles_AddsThemSearchableReadableAndDeletable()
    {
        using var client = server.CreateClient();
        using var form = new MultipartFormDataContent
        {
            { File("Zorblatt regulation: the Zorblatt Authority caps quantum widget exports at 42 units per year."), "files", "zorblatt.txt" },
            { File("# Quibble policy\n\nThe Quibble Council requires annual audits of every frobnicator."), "files", "quibble.md" },
        };
        var response = await client.PostAsync("/api/documents", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await Json.ReadAsync(response)).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal("added", r.GetProperty("status").GetString()));
        Assert.Equal("zorblatt.txt", results[0].GetProperty("file_name").GetString());
        var id = results[0].GetProperty("document_id").GetString();

        var list = await Json.ReadAsync(await client.GetAsync("/api/documents"));
        Assert.Contains(list.GetProperty("documents").EnumerateArray(), d => d.GetProperty("source").GetString() == "upload:zorblatt.txt");
        var detail = await Json.ReadAsync(await client.GetAsync("/api/documents/" + id));
        Assert.Contains("42 units", detail.GetProperty("text").GetString());
        var search = await Json.ReadAsync(await client.GetAsync("/api/search?q=Zorblatt"));
        Assert.Equal(id, search.GetProperty("hits")[0].GetProperty("document_id").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/documents/" + id)).StatusCode);
        await Json.AssertProblemAsync(await client.GetAsync("/api/documents/" + id), HttpStatusCode.NotFound, "document_not_found");
        await Json.AssertProblemAsync(await client.DeleteAsync("/api/documents/" + id), HttpStatusCode.NotFound, "document_not_found");
    }

    [Fact]
    public async Task Upload_SameFileTwice_SecondIsUnchangedThenChangedContentIsUpdated()
    {
        using var client = server.CreateClient();
        async Task<string> UploadAsync(string text)
        {
            using var form = new MultipartFormDataContent { { File(text), "files", "repeat.txt" } };
            var body = await Json.ReadAsync(await client.PostAsync("/api/documents", form));
            return body.GetProperty("results")[0].GetProperty("status").GetString()!;
        }
        Assert.Equal("added", await UploadAsync("The Repeat Act of the Plover Isles sets fishing quotas."));
        Assert.Equal("unchanged", await UploadAsync("The Repeat Act of the Plover Isles sets fishing quotas."));
        Assert.Equal("updated", await UploadAsync("The Repeat Act of the Plover Isles sets fishing quotas and ferry fares."));
    }

    [Fact]
    public async Task Upload_UnsupportedType_Returns415NamingTheFileAndAddsNothing()
    {
        using var client = server.CreateClient();
        var before = (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("count").GetInt32();
        using var form = new MultipartFormDataContent
        {
            { File("fine text"), "files", "fine.txt" },
            { File("MZ", "application/octet-stream"), "files", "tool.exe" },
        };
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/api/documents", form), HttpStatusCode.UnsupportedMediaType, "unsupported_file_type");
        Assert.Contains("tool.exe", problem.GetProperty("detail").GetString());
        Assert.Equal(before, (await Json.ReadAsync(await client.GetAsync("/api/documents"))).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Upload_OverTheSizeLimit_Returns413InCallersLanguage()
    {
        using var client = server.CreateClient(language: "ar");
        using var form = new MultipartFormDataContent { { File(new string('a', DocumentsServerFixture.MaxUploadBytes + 1)), "files", "big.txt" } };
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/api/documents", form), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
        Assert.True(Json.HasArabic(problem.GetProperty("detail").GetString()!));
    }

    [Fact]
    public async Task Upload_ChunkedOverTheSizeLimit_Returns413()
    {
        using var client = server.CreateClient();
        using var form = new MultipartFormDataContent { { new StreamContent(new MemoryStream(new byte[DocumentsServerFixture.MaxUploadBytes * 2])), "files", "big.txt" } };
        form.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = form };
        request.Headers.TransferEncodingChunked = true;
        await Json.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, "body_too_large");
    }

    [Fact]
    public async Task Upload_TooManyFiles_Returns400()
    {
        using var client = server.CreateClient();
        using var form = new MultipartFormDataContent();
        for (var i = 0; i <= DocumentsServerFixture.MaxUploadFiles; i++)
        {
            form.Add(File("text " + i), "files", $"f{i}.txt");
        }
        await Json.AssertProblemAsync(await client.PostAsync("/api/documents", form), HttpStatusCode.BadRequest, "too_many_files");
    }

    [Fact]
    public async Task Upload_NoFiles_Returns400()
    {
        using var client = server.CreateClient();
        using var form = new MultipartFormDataContent { { new StringContent("just a field"), "note" } };
        await Json.AssertProblemAsync(await client.PostAsync("/api/documents", form), HttpStatusCode.BadRequest, "no_files");
    }

    [Fact]
    public async Task Upload_JsonBody_Returns415()
    {
        using var client = server.CreateClient();
        await Json.AssertProblemAsync(await client.PostAsync("/api/documents", Json.Body(new { text = "hi" })), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Upload_FromAnotherSite_Returns403()
    {
        using var client = server.CreateClient();
        using var form = new MultipartFormDataContent { { File("Injected text."), "files", "evil.txt" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = form };
        request.Headers.Add("Origin", "https://evil.example");
        await Json.AssertProblemAsync(await client.SendAsync(request), HttpStatusCode.Forbidden, "cross_origin");
    }

    [Fact]
    public async Task Upload_FileNameWithPath_KeepsOnlyTheName()
    {
        using var client = server.CreateClient();
        using var form = new MultipartFormDataContent { { File("The Pathless Statute governs lighthouse keepers."), "files", "../../etc/pathless.txt" } };
        var body = await Json.ReadAsync(await client.PostAsync("/api/documents", form));
        Assert.Equal("pathless.txt", body.GetProperty("results")[0].GetProperty("file_name").GetString());
    }
}
