using System.Net;
using System.Text;

namespace PolicyChat.Server.Tests.Security;

/// <summary>Bad input gets a problem that names what is wrong, in the caller's language.</summary>
public sealed class InputValidationTests(ExtractiveServerFixture server) : IClassFixture<ExtractiveServerFixture>
{
    [Fact]
    public async Task Get_100KbQueryString_Returns414Problem()
    {
        using var client = server.CreateClient(language: "ar");
        var problem = await Json.AssertProblemAsync(await client.GetAsync("/api/search?q=" + new string('a', 100 * 1024)), HttpStatusCode.RequestUriTooLong, "uri_too_long");
        Assert.True(Json.HasArabic(problem.GetProperty("detail").GetString()!));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("0")]
    [InlineData("51")]
    public async Task Search_BadK_Returns400NamingTheParameter(string k)
    {
        using var client = server.CreateClient();
        var problem = await Json.AssertProblemAsync(await client.GetAsync("/api/search?q=DeepSeek&k=" + k), HttpStatusCode.BadRequest, "invalid_k");
        Assert.Equal("k", problem.GetProperty("param").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("'k'", detail);
        Assert.Contains(k, detail);
        Assert.DoesNotContain("JSON", detail);
    }

    [Fact]
    public async Task Ask_LongArabicQuestionWithoutAcceptLanguage_AnswersInArabic()
    {
        using var client = server.CreateClient();
        var question = string.Concat(Enumerable.Repeat("ما هي سياسة الذكاء الاصطناعي؟ ", 200));
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/api/ask", Json.Body(new { question })), HttpStatusCode.BadRequest, "question_too_long");
        Assert.True(Json.HasArabic(problem.GetProperty("detail").GetString()!));
        Assert.Equal("ar", problem.GetProperty("language").GetString());
    }

    [Fact]
    public async Task Search_LongArabicQueryWithoutAcceptLanguage_AnswersInArabicNamingQ()
    {
        using var client = server.CreateClient();
        // 2,600 characters: over the 2,000-character question limit, and 15 KB escaped, under the 16 KB URL limit.
        var q = Uri.EscapeDataString(string.Concat(Enumerable.Repeat("سياسة الذكاء ", 200)));
        var problem = await Json.AssertProblemAsync(await client.GetAsync("/api/search?q=" + q), HttpStatusCode.BadRequest, "query_too_long");
        Assert.True(Json.HasArabic(problem.GetProperty("detail").GetString()!));
        Assert.Equal("q", problem.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Ask_LongArabicQuestionWithEnglishAcceptLanguage_AnswersInEnglish()
    {
        using var client = server.CreateClient(language: "en");
        var question = string.Concat(Enumerable.Repeat("ما هي سياسة الذكاء الاصطناعي؟ ", 200));
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/api/ask", Json.Body(new { question })), HttpStatusCode.BadRequest, "question_too_long");
        Assert.False(Json.HasArabic(problem.GetProperty("detail").GetString()!));
    }

    [Fact]
    public async Task Ask_LoneSurrogateOverRest_Returns400InvalidQuestionInTheQuestionsLanguage()
    {
        using var client = server.CreateClient();
        using var body = new StringContent("{\"question\":\"ما هي \\ud800 السياسة؟\"}", Encoding.UTF8, "application/json");
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/api/ask", body), HttpStatusCode.BadRequest, "invalid_question");
        Assert.True(Json.HasArabic(problem.GetProperty("detail").GetString()!));
    }

    [Fact]
    public async Task Ask_LoneSurrogateOverTheHub_SendsTheSameLocalizedError()
    {
        await using var hub = await server.ConnectHubAsync();
        var tracked = await hub.StreamRawAsync("Ask", "{\"question\":\"ما هي \\ud800 السياسة؟\"}");
        var events = await Hub.ChatHubTests.ReadAllAsync(tracked);
        var error = Assert.Single(events);
        Assert.Equal("error", error.GetProperty("type").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.True(Json.HasArabic(message));
        Assert.DoesNotContain("Failed to invoke", message);
        Assert.Null(tracked.CompletionError);

        using var client = server.CreateClient();
        using var body = new StringContent("{\"question\":\"ما هي \\ud800 السياسة؟\"}", Encoding.UTF8, "application/json");
        var problem = await Json.ReadAsync(await client.PostAsync("/api/ask", body));
        Assert.Equal(problem.GetProperty("detail").GetString(), message);
    }

    [Theory]
    [InlineData("\"max_tokens\": \"lots\"", "max_tokens", "invalid_type")]
    [InlineData("\"max_tokens\": -5", "max_tokens", "integer_below_min_value")]
    [InlineData("\"max_tokens\": 1.5", "max_tokens", "invalid_type")]
    [InlineData("\"max_completion_tokens\": 0", "max_completion_tokens", "integer_below_min_value")]
    [InlineData("\"n\": 5", "n", "unsupported_value")]
    [InlineData("\"n\": \"two\"", "n", "invalid_type")]
    [InlineData("\"temperature\": 3", "temperature", "decimal_above_max_value")]
    [InlineData("\"top_p\": -0.1", "top_p", "decimal_below_min_value")]
    public async Task ChatCompletions_InvalidSamplingParameter_Returns400WithParam(string member, string param, string code)
    {
        using var client = server.CreateClient();
        using var body = new StringContent("{\"model\":\"policychat\",\"messages\":[{\"role\":\"user\",\"content\":\"What is DeepSeek?\"}]," + member + "}",
            Encoding.UTF8, "application/json");
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/v1/chat/completions", body), HttpStatusCode.BadRequest, code);
        var error = problem.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains($"'{param}'", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ChatCompletions_ValidSamplingParameters_AreAccepted()
    {
        using var client = server.CreateClient();
        using var body = new StringContent(
            "{\"model\":\"policychat\",\"messages\":[{\"role\":\"user\",\"content\":\"What is DeepSeek?\"}],\"max_tokens\":100,\"n\":1,\"temperature\":0.2,\"top_p\":1,\"max_completion_tokens\":null}",
            Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/chat/completions", body)).StatusCode);
    }

    [Fact]
    public async Task ChatCompletions_LoneSurrogateInContent_Returns400NamingTheMessage()
    {
        using var client = server.CreateClient();
        using var body = new StringContent("{\"model\":\"policychat\",\"messages\":[{\"role\":\"user\",\"content\":\"What \\udc00 is it?\"}]}", Encoding.UTF8, "application/json");
        var problem = await Json.AssertProblemAsync(await client.PostAsync("/v1/chat/completions", body), HttpStatusCode.BadRequest, "invalid_question");
        Assert.Equal("messages[0].content", problem.GetProperty("error").GetProperty("param").GetString());
    }
}
