using System.Reflection;
using Narrator.Web.Localization;
using Narrator.Web.Narrations;

namespace Narrator.Web.Tests.Components;

public class UiTextTests
{
    private static IEnumerable<PropertyInfo> Labels => typeof(UiText)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(property => property.PropertyType == typeof(string));

    [Fact]
    public void EveryLabelExistsInBothLanguages()
    {
        foreach (PropertyInfo label in Labels)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)label.GetValue(UiText.English)), label.Name);
            Assert.False(string.IsNullOrWhiteSpace((string?)label.GetValue(UiText.Chinese)), label.Name);
        }
    }

    [Fact]
    public void MostLabelsAreActuallyTranslated()
    {
        var untranslated = Labels
            .Where(label => (string?)label.GetValue(UiText.English) == (string?)label.GetValue(UiText.Chinese))
            .Select(label => label.Name)
            .ToList();

        // Names and symbols that read the same in both languages.
        Assert.Equal(["AppTitle", "DescribeHint", "CompareLeft", "CompareRight"], untranslated);
    }

    [Theory]
    [InlineData("preparing frames", "Preparing frames", "准备帧")]
    [InlineData("generating", "Writing", "生成中")]
    [InlineData("something new", "something new", "something new")]
    public void StageNamesAreTranslatedAndUnknownOnesPassThrough(string stage, string english, string chinese)
    {
        Assert.Equal(english, UiText.English.StageName(stage));
        Assert.Equal(chinese, UiText.Chinese.StageName(stage));
    }

    [Fact]
    public void SegmentAndTranslationStagesAreNamedFromTheirFields()
    {
        Assert.Equal("Segment 2 of 5", UiText.English.StageName(StageEvent.OfSegment("n", 2, 5)));
        Assert.Equal("第 2 / 5 段", UiText.Chinese.StageName(StageEvent.OfSegment("n", 2, 5)));
        Assert.Equal(UiText.English.Translating("French"), UiText.English.StageName(StageEvent.OfTranslation("n", "fr", 1, 2)));
        Assert.Equal("Writing", UiText.English.StageName(StageEvent.Of("n", Narrator.Model.Generation.NarrationStage.Generating)));
        Assert.Equal("Preparing frames", UiText.English.StageName((StageEvent?)null));
    }

    [Theory]
    [InlineData(0, "0:00.0")]
    [InlineData(3.5, "0:03.5")]
    [InlineData(75.25, "1:15.3")]
    public void TimestampsReadAsMinutesAndSeconds(double seconds, string expected) =>
        Assert.Equal(expected, UiText.FormatTimestamp(seconds));

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KB")]
    [InlineData(200L * 1024 * 1024, "200 MB")]
    public void SizesReadInBinaryUnits(long bytes, string expected) => Assert.Equal(expected, UiText.FormatBytes(bytes));

    [Fact]
    public void QueuePositionOneSaysNext()
    {
        Assert.Equal("You are next in the queue", UiText.English.QueuePosition(1));
        Assert.Equal("Position 3 in the queue", UiText.English.QueuePosition(3));
        Assert.Equal("排队中：第 3 位", UiText.Chinese.QueuePosition(3));
    }

    [Fact]
    public void LanguageTagsSelectTheRightSideOfTemplateTexts()
    {
        var name = new Narrator.Model.Templates.LocalizedText("标签", "Tags");

        Assert.Equal("标签", name.For(UiText.Chinese.LanguageTag));
        Assert.Equal("Tags", name.For(UiText.English.LanguageTag));
    }
}
