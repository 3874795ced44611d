using System.Text.Json;

namespace Narrator.Model.Tests;

/// <summary>Reads the reference cases copied from the shared golden folder into TestData (tests never read outside the repository).</summary>
internal static class GoldenData
{
    public static JsonElement Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "golden", fileName);
        using var stream = File.OpenRead(path);
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    /// <summary>xunit rows: one per case, the case's position in its list as the only argument.</summary>
    public static TheoryData<int> CaseNumbers(string fileName, string listName)
    {
        var data = new TheoryData<int>();
        var count = Load(fileName).GetProperty(listName).GetArrayLength();
        for (var i = 0; i < count; i++)
        {
            data.Add(i);
        }
        return data;
    }
}
