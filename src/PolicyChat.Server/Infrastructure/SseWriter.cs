using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace PolicyChat.Server.Infrastructure;

/// <summary>Writes a Server-Sent Events response: headers once, then one flushed event per call.</summary>
public sealed class SseWriter
{
    private readonly HttpResponse _response;

    private SseWriter(HttpResponse response) => _response = response;

    /// <summary>Starts the response: 200, text/event-stream, no caching, no buffering (each event reaches the client at once).</summary>
    public static SseWriter Start(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return new SseWriter(response);
    }

    /// <summary>Writes <c>event: {type}</c> (when given) and <c>data: {data}</c>; data must be a single line (JSON is).</summary>
    public async Task WriteAsync(string? eventType, string data, CancellationToken cancellationToken = default)
    {
        var sb = new StringBuilder(data.Length + 32);
        if (eventType is not null)
        {
            sb.Append("event: ").Append(eventType).Append('\n');
        }
        sb.Append("data: ").Append(data).Append("\n\n");
        await _response.WriteAsync(sb.ToString(), Encoding.UTF8, cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }
}
