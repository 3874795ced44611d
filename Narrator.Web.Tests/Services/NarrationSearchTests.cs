using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Search;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Search;
using Narrator.Web.Tests.Queue;

namespace Narrator.Web.Tests.Services;

/// <summary>Search over the history: the trigram index for Chinese and English, a substring fallback for short words, one owner at a time.</summary>
public sealed class NarrationSearchTests : IDisposable
{
    private static readonly NarrationOwner Anna = new("visitor:anna");
    private static readonly NarrationOwner Ben = new("visitor:ben");

    private readonly string dataPath = Path.Combine(Path.GetTempPath(), "narrator-search-" + Guid.NewGuid().ToString("N"));
    private readonly NarratorDatabase database;
    private readonly NarrationHistory history;
    private readonly NarrationSearch search;

    public NarrationSearchTests()
    {
        var folder = new DataFolder(Options.Create(new NarratorOptions { DataPath = dataPath }), new HostingEnvironment { ContentRootPath = dataPath });
        database = new NarratorDatabase(folder);
        history = new NarrationHistory(database, TimeProvider.System);
        // A handful of rows stands for a long history here: the index is asked whatever the visitor's row count.
        search = new NarrationSearch(database, NullLogger<NarrationSearch>.Instance) { AlwaysScanBelow = 0 };
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(dataPath, recursive: true);
    }

    private async Task<string> SaveAsync(NarrationOwner owner, string text, string label = "clip.mp4", IReadOnlyList<NarrationSegment>? segments = null)
    {
        var job = new NarrationJob(Guid.NewGuid().ToString("N")[..24], QueueHarness.Caller(owner.Value), QueueHarness.Work("p") with { ClipLabel = label },
            DateTimeOffset.UtcNow);
        if (segments is not null)
        {
            job.SegmentationMethod = "scenes";
            foreach (var segment in segments)
            {
                job.RecordSegment(segment);
            }
        }
        job.AppendToken(text);
        await history.SaveAsync(job.ToRecord(new CompletedEvent(text, new GenerationStats()) { NarrationId = job.Id }, DateTimeOffset.UtcNow), owner,
            CancellationToken.None);
        return job.Id;
    }

    /// <summary>Narrations that match nothing the tests look for, so the visitor's own rows outnumber a rare word's index hits.</summary>
    private async Task FillAsync(NarrationOwner owner, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await SaveAsync(owner, $"Filler narration {i}: an unremarkable shot.");
        }
    }

    private async Task<NarrationSearchResult> FindAsync(NarrationOwner owner, string query, int limit = 20) =>
        await search.SearchAsync(owner, SearchQuery.Parse(query), limit, CancellationToken.None);

    [Fact]
    public async Task Chinese_and_english_queries_find_the_right_narration_ranked_by_bm25()
    {
        await FillAsync(Anna, 12);
        string cafe = await SaveAsync(Anna, "一个穿红衣服的女人走进了咖啡馆，坐在窗边看书。", "cafe.mp4");
        string street = await SaveAsync(Anna, "A woman in a red coat walks down a rainy street at night.", "street.mp4");
        await SaveAsync(Anna, "A red car waits at a red light; the red sign flickers.", "lights.mp4");

        var chinese = await FindAsync(Anna, "咖啡馆");
        var english = await FindAsync(Anna, "Red COAT");

        Assert.Equal((SearchModes.Trigram, cafe), (chinese.Mode, Assert.Single(chinese.Hits).Document.NarrationId));
        Assert.Equal("一个穿红衣服的女人走进了咖啡馆，坐在窗边看书。", chinese.Hits[0].Snippet.Text);
        Assert.Equal([new TextSpan(12, 3)], chinese.Hits[0].Snippet.Highlights);
        Assert.Equal(street, Assert.Single(english.Hits).Document.NarrationId);
        Assert.Equal(["cafe.mp4"], chinese.Hits.Select(h => h.Document.Video));
        // The text that repeats "red" most densely ranks first.
        Assert.Equal(["lights.mp4", "street.mp4"], (await FindAsync(Anna, "red")).Hits.Select(h => h.Document.Video));
    }

    [Fact]
    public async Task The_bundled_sqlite_has_fts5_with_the_trigram_tokenizer()
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version(), sqlite_compileoption_used('ENABLE_FTS5')";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();

        var version = Version.Parse(reader.GetString(0));
        Assert.True(version >= new Version(3, 34), $"SQLite {version} is older than 3.34, the first with the trigram tokenizer.");
        Assert.Equal(1, reader.GetInt32(1));
        // The table exists with the trigram tokenizer, and a three-character Chinese word is looked up through it.
        await FillAsync(Anna, 12);
        await SaveAsync(Anna, "渔船在晨雾中起航。");
        Assert.Equal(SearchModes.Trigram, (await FindAsync(Anna, "晨雾中")).Mode);
    }

    [Fact]
    public async Task Another_owners_narrations_never_appear()
    {
        string mine = await SaveAsync(Anna, "A detective searches the empty station. 侦探搜查车站。");
        await SaveAsync(Ben, "A detective searches the empty station. 侦探搜查车站。");
        await SaveAsync(Ben, "Another detective, another station.");

        foreach (string query in new[] { "detective", "empty station", "搜查车站", "侦探", "a" })
        {
            var result = await FindAsync(Anna, query);
            Assert.Equal([mine], result.Hits.Select(h => h.Document.NarrationId).Distinct());
        }
        Assert.Empty((await FindAsync(new NarrationOwner("visitor:nobody"), "detective")).Hits);
    }

    [Fact]
    public async Task A_two_character_chinese_word_is_found_by_substring_over_the_owners_rows()
    {
        await FillAsync(Anna, 12);
        string cafe = await SaveAsync(Anna, "一个穿红衣服的女人走进了咖啡馆。");
        await SaveAsync(Anna, "穿蓝色外套的男人在雨中等车。");
        await SaveAsync(Ben, "红衣服，红帽子。");

        var result = await FindAsync(Anna, "衣服");
        var mixed = await FindAsync(Anna, "咖啡馆 衣服");
        var absent = await FindAsync(Anna, "咖啡馆 帽子");

        Assert.Equal((SearchModes.Substring, cafe), (result.Mode, Assert.Single(result.Hits).Document.NarrationId));
        Assert.Equal([new TextSpan(4, 2)], result.Hits[0].Snippet.Highlights);
        Assert.Equal((SearchModes.TrigramAndSubstring, cafe), (mixed.Mode, Assert.Single(mixed.Hits).Document.NarrationId));
        Assert.Empty(absent.Hits);
    }

    [Fact]
    public async Task The_index_is_read_for_rare_words_and_the_visitors_own_rows_for_words_common_across_everyone()
    {
        for (int i = 0; i < 30; i++)
        {
            await SaveAsync(Ben, $"Passengers wait at the station, take {i}.");
        }
        await FillAsync(Anna, 12);
        string mine = await SaveAsync(Anna, "Inspector Zanzibar waits at the station.");

        var common = await FindAsync(Anna, "station");
        var rare = await FindAsync(Anna, "Zanzibar");

        // 31 rows hold "station": weighed as index matches that is more than Anna's 13 rows, so her own rows are scanned.
        Assert.Equal((SearchModes.Substring, mine), (common.Mode, Assert.Single(common.Hits).Document.NarrationId));
        Assert.Equal((SearchModes.Trigram, mine), (rare.Mode, Assert.Single(rare.Hits).Document.NarrationId));
        // With the default threshold, a visitor with fewer than 256 rows is always scanned, without asking the index.
        var scanned = await new NarrationSearch(database, NullLogger<NarrationSearch>.Instance).SearchAsync(Anna, SearchQuery.Parse("Zanzibar"), 20, CancellationToken.None);
        Assert.Equal((SearchModes.Substring, mine), (scanned.Mode, Assert.Single(scanned.Hits).Document.NarrationId));
    }

    [Fact]
    public async Task A_long_videos_hit_names_its_segment_and_times_and_a_translation_its_language()
    {
        string film = await SaveAsync(Anna, "whole text", "film.mp4",
        [
            new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 25, Text = "A train crosses a bridge at dawn." },
            new NarrationSegment { Index = 1, StartSeconds = 25, EndSeconds = 55, Text = "Two detectives search the empty station." },
            new NarrationSegment { Index = 2, StartSeconds = 55, EndSeconds = 75, Error = "cancelled" },
        ]);
        await history.SaveTranslationAsync(film, Anna, "film.mp4", new NarrationTranslation
        {
            Language = "zh",
            State = NarrationState.Completed,
            Text = "[00:00:00.000 - 00:00:25.000]\n黎明时分，一列火车驶过大桥。\n\n[00:00:25.000 - 00:00:55.000]\n两名侦探搜查空荡的车站。",
            Segments =
            [
                new NarrationSegment { Index = 0, StartSeconds = 0, EndSeconds = 25, Text = "黎明时分，一列火车驶过大桥。" },
                new NarrationSegment { Index = 1, StartSeconds = 25, EndSeconds = 55, Text = "两名侦探搜查空荡的车站。" },
            ],
            FinishedAt = DateTimeOffset.UtcNow,
        }, CancellationToken.None);

        var segment = Assert.Single((await FindAsync(Anna, "detectives")).Hits).Document;
        var translated = Assert.Single((await FindAsync(Anna, "搜查空荡")).Hits).Document;

        Assert.Equal((SearchKinds.Segment, (int?)1, (double?)25, (double?)55, (string?)null), (segment.Kind, segment.SegmentIndex, segment.StartSeconds, segment.EndSeconds, segment.Language));
        Assert.Equal((SearchKinds.Translation, (int?)1, (double?)25, "zh"), (translated.Kind, translated.SegmentIndex, translated.StartSeconds, translated.Language));
        // The whole text of a long video is not indexed twice: its segments stand for it.
        Assert.Empty((await FindAsync(Anna, "whole text")).Hits);
    }

    [Fact]
    public async Task Storing_again_replaces_the_rows_instead_of_adding_to_them()
    {
        string id = await SaveAsync(Anna, "first version about a lighthouse");
        await history.SaveTranslationAsync(id, Anna, "clip.mp4", Translation("fr", "un phare"), CancellationToken.None);
        await history.SaveTranslationAsync(id, Anna, "clip.mp4", Translation("fr", "un phare encore"), CancellationToken.None);

        var lighthouse = await FindAsync(Anna, "lighthouse");
        var phare = await FindAsync(Anna, "phare");

        Assert.Single(lighthouse.Hits);
        Assert.Equal("un phare encore", Assert.Single(phare.Hits).Document.Text);
    }

    [Theory]
    [InlineData("100%")]
    [InlineData("a_b")]
    [InlineData("red AND \"")]
    [InlineData("NEAR(red coat)")]
    [InlineData("\\")]
    public async Task Search_syntax_and_wildcards_in_a_query_are_plain_text(string query)
    {
        await SaveAsync(Anna, "A red coat, nothing else.");

        var result = await FindAsync(Anna, query);

        Assert.Empty(result.Hits);
    }

    [Fact]
    public async Task A_history_written_before_search_existed_is_indexed_when_it_is_opened()
    {
        var folder = await OldHistoryFile.WriteAsync(Path.Combine(dataPath, "old"), """
                CREATE TABLE narrations (
                    id TEXT PRIMARY KEY, owner TEXT NOT NULL, clip_id TEXT NOT NULL, clip_label TEXT NOT NULL, template TEXT,
                    prompt TEXT NOT NULL, frame_options TEXT NOT NULL, generation_options TEXT NOT NULL, state TEXT NOT NULL,
                    text TEXT NOT NULL, stats TEXT, error TEXT, error_code TEXT, created_at INTEGER NOT NULL, started_at INTEGER,
                    finished_at INTEGER NOT NULL, queue_ms REAL, duration_seconds REAL, segmentation TEXT, segments TEXT);
                INSERT INTO narrations VALUES ('old1', 'visitor:anna', 'clip', 'harbour.mp4', NULL, 'p', '{}', '{}', 'completed',
                    '港口的渔船在晨雾中起航。', NULL, NULL, NULL, 1000, 1100, 2000, 100.0, 12.5, NULL, NULL);
                INSERT INTO narrations VALUES ('old2', 'visitor:anna', 'clip', 'film.mp4', NULL, 'p', '{}', '{}', 'completed',
                    'x', NULL, NULL, NULL, 1000, 1100, 3000, 100.0, 90, 'scenes',
                    '[{"index":0,"start":0,"end":45,"text":"A ferry leaves the harbour."},{"index":1,"start":45,"end":90,"text":"Gulls follow it."}]');
                """);

        var upgraded = new NarratorDatabase(folder);
        var oldSearch = new NarrationSearch(upgraded, NullLogger<NarrationSearch>.Instance);
        var chinese = await oldSearch.SearchAsync(Anna, SearchQuery.Parse("渔船"), 10, CancellationToken.None);
        var english = await oldSearch.SearchAsync(Anna, SearchQuery.Parse("gulls"), 10, CancellationToken.None);

        Assert.Equal("old1", Assert.Single(chinese.Hits).Document.NarrationId);
        Assert.Equal((1, 45.0), (Assert.Single(english.Hits).Document.SegmentIndex!.Value, english.Hits[0].Document.StartSeconds!.Value));
        // Opening it again does not index it twice.
        var again = new NarrationSearch(new NarratorDatabase(folder), NullLogger<NarrationSearch>.Instance);
        Assert.Single((await again.SearchAsync(Anna, SearchQuery.Parse("gulls"), 10, CancellationToken.None)).Hits);
        // And the translations table exists for the old narrations too.
        var oldHistory = new NarrationHistory(upgraded, TimeProvider.System);
        await oldHistory.SaveTranslationAsync("old1", Anna, "harbour.mp4", Translation("en", "Fishing boats leave the harbour in the morning mist."), CancellationToken.None);
        Assert.Equal("en", Assert.Single((await oldHistory.GetAsync("old1", CancellationToken.None))!.Translations!.Keys));
    }

    private static NarrationTranslation Translation(string language, string text) => new()
    {
        Language = language,
        State = NarrationState.Completed,
        Text = text,
        FinishedAt = DateTimeOffset.UtcNow,
    };
}
