using PolicyChat.Core.Models;

namespace PolicyChat.Core.Tests.Models;

public sealed class ModelErrorsTests
{
    [Theory]
    [InlineData("{\"error\":{\"message\":\"model \\\"x\\\" not found, try pulling it first\",\"type\":\"not_found_error\"}}", "model \"x\" not found, try pulling it first")]
    [InlineData("{\"error\":\"model is loading\"}", "model is loading")]
    [InlineData("{\"object\":\"error\",\"message\":\"The model `x` does not exist.\",\"type\":\"NotFoundError\",\"code\":404}", "The model `x` does not exist.")]
    [InlineData("{\"detail\":\"Not Found\"}", "Not Found")]
    [InlineData("404 page not found\n", "404 page not found")]
    [InlineData("", null)]
    public void ServerMessage_KnownErrorShapes_ExtractsMessage(string body, string? expected) =>
        Assert.Equal(expected, ModelErrors.ServerMessage(body));

    [Fact]
    public void ServerMessage_LongBody_IsShortenedToOneLine()
    {
        var message = ModelErrors.ServerMessage("line one\nline two " + new string('x', 1000));

        Assert.NotNull(message);
        Assert.DoesNotContain('\n', message);
        Assert.True(message.Length <= 301);
        Assert.StartsWith("line one line two", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "{\"error\":{\"message\":\"model \\\"m\\\" not found, try pulling it first\"}}", ModelFailureKind.ModelNotFound)]
    [InlineData(404, "404 page not found", ModelFailureKind.Unreachable)]
    [InlineData(401, "{\"error\":{\"message\":\"Invalid API Key\"}}", ModelFailureKind.Unauthorized)]
    [InlineData(503, "{\"error\":{\"message\":\"Loading model\"}}", ModelFailureKind.Overloaded)]
    [InlineData(503, "Service Unavailable", ModelFailureKind.Overloaded)]
    [InlineData(429, "", ModelFailureKind.Overloaded)]
    [InlineData(504, "", ModelFailureKind.Timeout)]
    [InlineData(400, "{\"error\":{\"message\":\"bad\"}}", ModelFailureKind.BadRequest)]
    [InlineData(500, "{\"error\":{\"message\":\"boom\"}}", ModelFailureKind.ServerError)]
    public void FromStatus_Status_MapsKind(int status, string body, ModelFailureKind expected)
    {
        var error = ModelErrors.FromStatus(status, ModelErrors.ServerMessage(body), new ModelCallContext("Llm", "http://h:1", "m", TimeSpan.FromSeconds(1)));

        Assert.Equal(expected, error.Kind);
        Assert.Equal(expected is not (ModelFailureKind.ModelNotFound or ModelFailureKind.Unauthorized or ModelFailureKind.BadRequest), error.IsTransient);
    }
}
