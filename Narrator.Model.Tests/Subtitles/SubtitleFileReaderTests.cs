using System.Text;
using Narrator.Model.Subtitles;

namespace Narrator.Model.Tests.Subtitles;

public class SubtitleFileReaderTests
{
    private const string Srt = "1\n00:00:01,000 --> 00:00:02,000\n你好，Anna!\n";

    public static TheoryData<string, byte[]> Encodings => new()
    {
        { "UTF-8", Encoding.UTF8.GetBytes(Srt) },
        { "UTF-8 with BOM", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Srt)] },
        { "UTF-16 LE with BOM", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Srt)] },
        { "UTF-16 BE with BOM", [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes(Srt)] },
        { "UTF-16 LE without BOM", Encoding.Unicode.GetBytes(Srt) },
        { "UTF-16 BE without BOM", Encoding.BigEndianUnicode.GetBytes(Srt) },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Utf8_and_utf16_files_read_the_same(string encoding, byte[] bytes)
    {
        var track = SubtitleFileReader.Read(bytes, "film.srt");

        Assert.Equal("你好，Anna!", Assert.Single(track.Lines).Text);
        Assert.Equal("film.srt", track.Source);
        Assert.NotEmpty(encoding);
    }

    [Fact]
    public void Binary_junk_is_refused_with_a_sentence()
    {
        var junk = new byte[4096];
        new Random(7).NextBytes(junk);
        junk[10] = 0;

        var error = Assert.Throws<UserInputException>(() => SubtitleFileReader.Read(junk, "film.srt"));
        Assert.Equal("film.srt is not a text file (it holds binary data); choose an .srt or .vtt subtitle file.", error.Message);
    }

    [Fact]
    public void Text_in_another_encoding_is_refused_with_how_to_fix_it()
    {
        byte[] gbk = [.. Encoding.ASCII.GetBytes("1\n00:00:01,000 --> 00:00:02,000\n"), 0xC4, 0xE3, 0xBA, 0xC3, 0x0A];

        var error = Assert.Throws<UserInputException>(() => SubtitleFileReader.Read(gbk, "film.srt"));
        Assert.Contains("is not UTF-8 or UTF-16 text", error.Message);
        Assert.Contains("save it as UTF-8", error.Message);
    }

    [Fact]
    public void A_text_file_without_cues_is_refused()
    {
        var error = Assert.Throws<UserInputException>(() => SubtitleFileReader.Read(Encoding.UTF8.GetBytes("just some notes\nabout a film\n"), "notes.srt"));
        Assert.StartsWith("notes.srt has no subtitle cues", error.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var error = Assert.Throws<UserInputException>(() => SubtitleFileReader.Read([], "empty.vtt"));
        Assert.Equal("empty.vtt is empty; choose an .srt or .vtt subtitle file.", error.Message);
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_while_it_is_read()
    {
        using var big = new MemoryStream(new byte[SubtitleFileReader.MaxBytes + 1]);

        var error = await Assert.ThrowsAsync<UserInputException>(() => SubtitleFileReader.ReadAsync(big, "huge.srt", CancellationToken.None));
        Assert.StartsWith("huge.srt is larger than the 2 MB limit", error.Message);
    }

    [Fact]
    public async Task A_missing_file_is_named()
    {
        var error = await Assert.ThrowsAsync<UserInputException>(() => SubtitleFileReader.ReadFileAsync("/nonexistent/film.srt", CancellationToken.None));
        Assert.Equal("Subtitle file not found: /nonexistent/film.srt.", error.Message);
    }
}
