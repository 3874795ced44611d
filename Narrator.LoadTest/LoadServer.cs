using System.Globalization;
using Narrator.Testing;

namespace Narrator.LoadTest;

/// <summary>Narrator.Web as shipped (Production), on Kestrel at 127.0.0.1, with its engine paced and timed (never held) and its data in a folder the run owns.</summary>
internal static class LoadServer
{
    public static NarratorServer Start(string dataPath, int queueCapacity, int perOwnerLimit) => new(new Dictionary<string, string?>
    {
        ["Narrator:Queue:Capacity"] = queueCapacity.ToString(CultureInfo.InvariantCulture),
        ["Narrator:Queue:PerOwnerLimit"] = perOwnerLimit.ToString(CultureInfo.InvariantCulture),
        // Every simulated visitor comes from 127.0.0.1, so the per-address limits would measure themselves.
        ["Narrator:RateLimits:UploadsPerMinute"] = "100000",
        ["Narrator:RateLimits:StartsPerMinute"] = "100000",
        ["Narrator:RateLimits:UploadsPerMinutePerAddress"] = "100000",
        ["Narrator:RateLimits:StartsPerMinutePerAddress"] = "100000",
        ["Narrator:Queue:PerAddressLimit"] = "10000",
        ["Logging:LogLevel:Narrator.Web.Services.Engine"] = "Information",
    }, paced: true, dataPath: dataPath, environment: "Production");
}
