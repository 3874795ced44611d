using System.Text;
using Narrator.Model;
using Narrator.Model.Exports;

namespace Narrator.Model.Tests.Exports;

/// <summary>The export formats come from one registry of writers: name → writer → extension and media type, nothing else.</summary>
public class ExportFormatRegistryTests
{
    [Theory]
    [InlineData("json", ".json", "application/json; charset=utf-8", typeof(JsonNarrationWriter))]
    [InlineData("ndjson", ".ndjson", "application/x-ndjson; charset=utf-8", typeof(NdjsonNarrationWriter))]
    [InlineData("srt", ".srt", "application/x-subrip; charset=utf-8", typeof(SrtNarrationWriter))]
    [InlineData("vtt", ".vtt", "text/vtt; charset=utf-8", typeof(WebVttNarrationWriter))]
    [InlineData("txt", ".txt", "text/plain; charset=utf-8", typeof(PlainTextNarrationWriter))]
    public void A_registered_name_leads_to_its_writer_extension_and_content_type(string name, string extension, string contentType, Type writer)
    {
        var format = ExportFormats.Parse(name);

        Assert.IsType(writer, format.Writer);
        Assert.Equal(name, format.Name());
        Assert.Equal(extension, format.FileExtension());
        Assert.Equal(contentType, format.ContentType());
    }

    [Fact]
    public async Task Every_registered_format_round_trips_from_its_name_and_aliases_to_the_writer_that_declares_them()
    {
        Assert.Equal(ExportFormats.Names, ExportFormats.All.Select(format => format.Name()));
        foreach (var format in ExportFormats.All)
        {
            var writer = format.Writer;
            foreach (string name in writer.Aliases.Prepend(writer.Name))
            {
                Assert.Equal(format, ExportFormats.Parse(name.ToUpperInvariant()));
            }
            Assert.Equal(writer.FileExtension, format.FileExtension());
            Assert.Equal(writer.MediaType + "; charset=utf-8", format.ContentType());
            Assert.Equal(writer.Name, format.ToString());
            using var written = new MemoryStream();
            await NarrationExport.WriteAsync(format, SampleNarrations.Mixed(), written);
            Assert.NotEmpty(Encoding.UTF8.GetString(written.ToArray()).Trim());
        }
    }

    [Theory]
    [InlineData("docx")]
    [InlineData("")]
    [InlineData(null)]
    public void A_name_nobody_registered_is_refused_with_a_sentence_not_exported_as_text(string? name)
    {
        var error = Assert.Throws<UserInputException>(() => ExportFormats.Parse(name));

        Assert.Equal($"Unknown export format '{name}'; use one of json, ndjson, srt, vtt, txt.", error.Message);
    }

    [Fact]
    public void A_format_that_names_no_writer_says_so_instead_of_writing_text()
    {
        var none = default(ExportFormat);

        var error = Assert.Throws<InvalidOperationException>(() => none.FileExtension());
        Assert.Contains("ExportFormats.Parse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_writer_is_found_by_its_name_once_registered()
    {
        var index = ExportFormats.Index([new JsonNarrationWriter(), new CsvWriter()]);

        var csv = index["CSV"];
        Assert.IsType<CsvWriter>(csv.Writer);
        Assert.Equal(".csv", csv.FileExtension());
        Assert.Equal("text/csv; charset=utf-8", csv.ContentType());
        Assert.Equal(csv, index["comma-separated"]);
    }

    [Fact]
    public void Every_built_in_format_labels_itself_for_the_download_menus_in_both_languages()
    {
        foreach (var format in ExportFormats.All)
        {
            string english = format.Label("en");
            string chinese = format.Label("zh-CN");
            Assert.EndsWith($"({format.FileExtension()})", english, StringComparison.Ordinal);
            Assert.EndsWith($"({format.FileExtension()})", chinese, StringComparison.Ordinal);
            Assert.NotEqual(english, chinese);
        }
        Assert.Equal("字幕 (.srt)", ExportFormat.Srt.Label("zh"));
    }

    [Fact]
    public void A_writer_that_names_no_label_is_listed_by_its_name_and_extension()
    {
        var csv = ExportFormats.Index([new CsvWriter()])["csv"];

        Assert.Equal("csv (.csv)", csv.Label("en"));
        Assert.Equal("csv (.csv)", csv.Label("zh-CN"));
    }

    [Fact]
    public void Two_writers_claiming_one_name_are_refused_at_registration()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ExportFormats.Index([new PlainTextNarrationWriter(), new CsvWriter(alias: "text")]));

        Assert.Equal("CsvWriter claims the export format name 'text', which PlainTextNarrationWriter already has.", error.Message);
    }

    [Theory]
    [InlineData("", ".csv", "text/csv")]
    [InlineData("csv", "csv", "text/csv")]
    [InlineData("csv", ".csv", "")]
    [InlineData("csv", ".csv", "text/csv; charset=utf-8")]
    public void A_writer_must_declare_its_name_extension_and_bare_media_type(string name, string extension, string mediaType)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ExportFormats.Index([new CsvWriter(name, extension, mediaType)]));

        Assert.StartsWith("CsvWriter must declare a name", error.Message, StringComparison.Ordinal);
    }

    private sealed class CsvWriter(string name = "csv", string extension = ".csv", string mediaType = "text/csv", string alias = "comma-separated")
        : INarrationWriter
    {
        public string Name => name;

        public IReadOnlyList<string> Aliases => [alias];

        public string FileExtension => extension;

        public string MediaType => mediaType;

        public Task WriteAsync(TimedNarration narration, Stream destination, CancellationToken cancellationToken = default) =>
            destination.WriteAsync(Encoding.UTF8.GetBytes(string.Join('\n', narration.Segments.Select(s => s.Text))), cancellationToken).AsTask();
    }
}
