using System.Text.Json;

namespace Narrator.Model.Tests.Shipping;

/// <summary>
/// Narrator.Testing (the engine doubles and the test server) is for the test projects and the load program only: nothing
/// the Dockerfile publishes references it, and the project itself refuses to be published.
/// </summary>
public sealed class TestSupportShippingTests
{
    private const string TestSupport = "Narrator.Testing";

    [Theory]
    [InlineData("Narrator.Web/Narrator.Web.csproj")]
    [InlineData("Narrator.Cli/Narrator.Cli.csproj")]
    [InlineData("Narrator.Model/Narrator.Model.csproj")]
    public async Task A_shipped_project_does_not_reference_the_test_support_project(string project)
    {
        var result = await DotnetInRepository.RunAsync(TimeSpan.FromMinutes(3), "msbuild", project, "-getItem:ProjectReference", "-nologo");
        Assert.True(result.ExitCode == 0, $"msbuild failed: {result.Output}");

        using var json = JsonDocument.Parse(result.Output);
        var references = json.RootElement.GetProperty("Items").TryGetProperty("ProjectReference", out var items)
            ? items.EnumerateArray().Select(item => Path.GetFileNameWithoutExtension(item.GetProperty("Identity").GetString()!)).ToList()
            : [];
        Assert.DoesNotContain(TestSupport, references);
    }

    [Fact]
    public async Task The_test_support_project_is_neither_publishable_nor_packable_nor_a_test_project()
    {
        var result = await DotnetInRepository.RunAsync(TimeSpan.FromMinutes(3), "msbuild", $"{TestSupport}/{TestSupport}.csproj",
            "-getProperty:IsPublishable", "-getProperty:IsPackable", "-getProperty:IsTestProject", "-nologo");
        Assert.True(result.ExitCode == 0, $"msbuild failed: {result.Output}");

        using var json = JsonDocument.Parse(result.Output);
        var properties = json.RootElement.GetProperty("Properties");
        Assert.Equal("false", properties.GetProperty("IsPublishable").GetString());
        Assert.Equal("false", properties.GetProperty("IsPackable").GetString());
        Assert.Equal("false", properties.GetProperty("IsTestProject").GetString());
    }
}
