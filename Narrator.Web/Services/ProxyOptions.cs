using System.Net;
using Microsoft.Extensions.Options;

namespace Narrator.Web.Services;

/// <summary>
/// Running behind a reverse proxy, under <c>Narrator:Proxy</c>. Every visitor then reaches the app from the proxy's
/// address, which would put them all in one budget for the per-address queue and rate limits; with
/// <see cref="ForwardedHeaders"/> on, the visitor's address is read from <c>X-Forwarded-For</c> (and the scheme from
/// <c>X-Forwarded-Proto</c>), but only on requests that come from a proxy listed here (loopback always counts).
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Narrator:Proxy";

    public bool ForwardedHeaders { get; set; }

    /// <summary>Addresses of the proxies whose forwarded headers are believed, e.g. "10.0.0.5".</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of such proxies in CIDR notation, e.g. "172.16.0.0/12" (a Docker network).</summary>
    public List<string> KnownNetworks { get; set; } = [];
}

/// <summary>Fails start-up naming a proxy address or network that does not parse.</summary>
internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var failures = new List<string>();
        for (int i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                failures.Add($"{ProxyOptions.Section}:KnownProxies:{i} is \"{options.KnownProxies[i]}\", which is not an IP address.");
            }
        }
        for (int i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                failures.Add($"{ProxyOptions.Section}:KnownNetworks:{i} is \"{options.KnownNetworks[i]}\", which is not a network in CIDR notation (e.g. 10.0.0.0/8).");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
