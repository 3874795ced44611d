using System.Globalization;

namespace Narrator.Web.Workbench;

/// <summary>Reads the long-video stage name "segment k of n".</summary>
public static class SegmentStage
{
    public static bool TryParse(string stage, out int number, out int count)
    {
        number = count = 0;
        string[] parts = stage.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 4
            && parts[0].Equals("segment", StringComparison.OrdinalIgnoreCase)
            && parts[2].Equals("of", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out number)
            && int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && number >= 1 && number <= count;
    }
}
