using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace PolicyChat.Server.Security;

/// <summary>An origin, normalized: lower-case scheme and host, explicit port (<c>https://chat.example.org:443</c>).</summary>
public sealed record PublicOrigin(string Scheme, string Host, int Port)
{
    /// <summary>Parses <c>scheme://host[:port]</c> (no path, query or user info); null when it is not an http(s) origin.</summary>
    public static PublicOrigin? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim().TrimEnd('/'), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }
        return new PublicOrigin(uri.Scheme, uri.IdnHost.ToLowerInvariant(), uri.Port);
    }

    public override string ToString() => $"{Scheme}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}

/// <summary>
/// The origins whose pages may write and connect to the hub: <c>Server:PublicOrigins</c>, or by default the addresses
/// the server listens on. A loopback address stands for localhost, 127.0.0.1 and [::1]; a wildcard address
/// (0.0.0.0, [::], *, +) for those and this machine's host name and interface addresses. The request's own
/// <c>Host</c> header is never trusted: with DNS rebinding, a hostile page can make it say anything.
/// </summary>
public sealed class PublicOrigins(IOptions<ServerSecurityOptions> options, IServer server, ILogger<PublicOrigins> logger)
{
    private HashSet<PublicOrigin>? _allowed;

    /// <summary>The allowed origins (computed on first use, once the server is listening).</summary>
    public IReadOnlySet<PublicOrigin> Allowed => _allowed ??= Compute();

    /// <summary>Whether a request with this <c>Origin</c> header may write; a request without one (an API client) may.</summary>
    public bool IsAllowed(string? originHeader)
    {
        if (string.IsNullOrEmpty(originHeader))
        {
            return true;
        }
        return PublicOrigin.Parse(originHeader) is { } origin && Allowed.Contains(origin);
    }

    private HashSet<PublicOrigin> Compute()
    {
        var configured = options.Value.PublicOrigins;
        var allowed = new HashSet<PublicOrigin>();
        if (configured.Count > 0)
        {
            foreach (var origin in configured)
            {
                allowed.Add(PublicOrigin.Parse(origin)!);
            }
            return allowed;
        }
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            BindingAddress binding;
            try
            {
                binding = BindingAddress.Parse(address);
            }
            catch (FormatException)
            {
                continue;
            }
            if (binding.IsNamedPipe || binding.IsUnixPipe)
            {
                continue;
            }
            var scheme = binding.Scheme.ToLowerInvariant();
            foreach (var host in HostsFor(binding.Host))
            {
                allowed.Add(new PublicOrigin(scheme, host, binding.Port));
            }
        }
        logger.LogInformation("Pages from these origins may upload, delete and use the chat hub: {Origins} (set Server:PublicOrigins to change them).",
            string.Join(", ", allowed.Select(o => o.ToString())));
        return allowed;
    }

    private static IEnumerable<string> HostsFor(string host)
    {
        host = host.Trim('[', ']').ToLowerInvariant();
        string[] loopback = ["localhost", "127.0.0.1", "::1"];
        if (host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)))
        {
            return loopback;
        }
        if (host is "*" or "+" or "0.0.0.0" or "::")
        {
            return loopback.Concat(MachineHosts());
        }
        return [host];
    }

    private static IEnumerable<string> MachineHosts()
    {
        var hosts = new List<string>();
        try
        {
            hosts.Add(Dns.GetHostName().ToLowerInvariant());
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    var address = unicast.Address;
                    if (address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && !address.IsIPv6LinkLocal)
                    {
                        hosts.Add(new IPAddress(address.GetAddressBytes()).ToString().ToLowerInvariant());
                    }
                }
            }
        }
        catch (Exception ex) when (ex is NetworkInformationException or SocketException or PlatformNotSupportedException)
        {
            // Names we cannot list are simply not allowed; Server:PublicOrigins can name them.
        }
        return hosts;
    }
}
