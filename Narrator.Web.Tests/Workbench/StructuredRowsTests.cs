using System.Text.Json;
using Narrator.Web.Workbench;

namespace Narrator.Web.Tests.Workbench;

public class StructuredRowsTests
{
    [Fact]
    public void NestedObjectsAndArraysBecomeReadablePaths()
    {
        using JsonDocument document = JsonDocument.Parse("""
            {
              "subjects": [
                { "type": "woman", "isMainSubject": true },
                { "type": "waiter", "isMainSubject": false }
              ],
              "shot_type": "medium close-up",
              "camera": { "motion": "static" },
              "lighting": null
            }
            """);

        IReadOnlyList<StructuredRow> rows = StructuredRows.Flatten(document.RootElement);

        Assert.Equal(
        [
            new StructuredRow("subjects 1 · type", "woman"),
            new StructuredRow("subjects 1 · is main subject", "true"),
            new StructuredRow("subjects 2 · type", "waiter"),
            new StructuredRow("subjects 2 · is main subject", "false"),
            new StructuredRow("shot type", "medium close-up"),
            new StructuredRow("camera · motion", "static"),
            new StructuredRow("lighting", "—"),
        ], rows);
    }

    [Fact]
    public void ListsOfScalarsStayOnOneRow()
    {
        using JsonDocument document = JsonDocument.Parse("""{ "moods": ["warm", "romantic"], "count": 2 }""");

        IReadOnlyList<StructuredRow> rows = StructuredRows.Flatten(document.RootElement);

        Assert.Equal([new StructuredRow("moods", "warm, romantic"), new StructuredRow("count", "2")], rows);
    }
}
