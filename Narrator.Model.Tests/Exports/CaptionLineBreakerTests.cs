using Narrator.Model.Exports;

namespace Narrator.Model.Tests.Exports;

public class CaptionLineBreakerTests
{
    [Fact]
    public void Chinese_lines_hold_at_most_half_the_columns_in_characters()
    {
        var lines = CaptionLineBreaker.Wrap(SampleNarrations.ChineseText, 42);

        Assert.True(lines.Count > 3);
        Assert.All(lines, line => Assert.InRange(CaptionLineBreaker.Columns(line), 1, 42));
        Assert.Equal(SampleNarrations.ChineseText, string.Concat(lines));
    }

    [Fact]
    public void Chinese_lines_never_start_with_closing_punctuation()
    {
        // Without the rule the break would fall right before "，" (20 hanzi fill a 40-column line exactly).
        string text = "一二三四五六七八九十一二三四五六七八九十，后面的句子继续写下去直到再次换行为止。";
        var lines = CaptionLineBreaker.Wrap(text, 40);

        Assert.All(lines, line => Assert.DoesNotContain(line[0], "，。、；：？！）」』》"));
        Assert.Equal(text, string.Concat(lines));
    }

    [Fact]
    public void A_line_prefers_to_end_at_a_clause_mark_near_its_end()
    {
        string text = "镜头缓慢推近人物的面部，焦点从信纸转移到他的脸上窗外霓虹灯闪烁";
        var lines = CaptionLineBreaker.Wrap(text, 30);

        Assert.Equal("镜头缓慢推近人物的面部，", lines[0]);
    }

    [Fact]
    public void English_breaks_only_at_spaces()
    {
        var lines = CaptionLineBreaker.Wrap(SampleNarrations.EnglishText, 42);

        Assert.All(lines, line => Assert.InRange(line.Length, 1, 42));
        Assert.All(lines, line => Assert.False(line.StartsWith(' ') || line.EndsWith(' ')));
        Assert.Equal(SampleNarrations.EnglishText, string.Join(' ', lines));
    }

    [Fact]
    public void A_latin_word_inside_chinese_text_is_kept_whole()
    {
        string text = "他打开笔记本电脑，屏幕上显示着Narrator的界面和一段正在播放的视频";
        var lines = CaptionLineBreaker.Wrap(text, 30);

        Assert.Contains(lines, line => line.Contains("Narrator", StringComparison.Ordinal));
        Assert.Equal(text, string.Concat(lines));
    }

    [Fact]
    public void Newlines_and_runs_of_spaces_collapse_so_no_cue_gets_a_blank_line()
    {
        var lines = CaptionLineBreaker.Wrap("first paragraph.\n\n\nsecond   paragraph.", 80);

        Assert.Equal(["first paragraph. second paragraph."], lines);
    }

    [Fact]
    public void A_word_longer_than_a_line_is_cut_where_the_line_is_full()
    {
        var lines = CaptionLineBreaker.Wrap(new string('x', 25), 10);

        Assert.Equal(["xxxxxxxxxx", "xxxxxxxxxx", "xxxxx"], lines);
    }
}
