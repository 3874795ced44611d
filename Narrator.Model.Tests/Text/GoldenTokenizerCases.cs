using System.Text.Json;

namespace Narrator.Model.Tests.Text;

/// <summary>Reference text -> ids cases from TestData/golden/tokenizer_cases.json (Hugging Face's tokenizer).</summary>
public static class GoldenTokenizerCases
{
    public sealed record Case(string Text, int[] Ids, bool Roundtrip)
    {
        public override string ToString() => Text.Length > 40 ? Text[..40] + "…" : Text;
    }

    public static IReadOnlyList<Case> All { get; } = Load("golden/tokenizer_cases.json");

    /// <summary>Extra cases written for Narrator (emoji next to letters, rare characters), ids from a reference BPE.</summary>
    public static IReadOnlyList<Case> Extra { get; } = Load("tokenizer/extra_cases.json");

    public static TheoryData<int> Indices(IReadOnlyList<Case> cases)
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < cases.Count; i++)
        {
            data.Add(i);
        }
        return data;
    }

    private static List<Case> Load(string relativePath)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", relativePath);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new List<Case>();
        foreach (var item in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var ids = new List<int>();
            foreach (var id in item.GetProperty("ids").EnumerateArray())
            {
                ids.Add(id.GetInt32());
            }
            bool roundtrip = !item.TryGetProperty("roundtrip", out var r) || r.GetBoolean();
            cases.Add(new Case(item.GetProperty("text").GetString()!, [.. ids], roundtrip));
        }
        return cases;
    }
}
