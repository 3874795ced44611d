using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Narrator.Model.Exports;
using Narrator.Model.Generation;
using Narrator.Model.Media;
using Narrator.Model.Search;
using Narrator.Web.Narrations;
using Narrator.Web.Services;
using Narrator.Web.Services.History;
using Narrator.Web.Services.Queue;
using Narrator.Web.Services.Search;

namespace Narrator.LoadTest;

/// <summary>
/// <c>search [narrations=10000] [runs=50]</c>: the history's full-text search over a realistic store, timed. The store is
/// filled the way the queue fills it (NarrationHistory.SaveAsync, search rows in the same transaction): Chinese and English
/// narrations of 4-8 sentences, a fifth of them long videos of 4-6 segments, a third translated; one heavy visitor owns a
/// fifth of them, the rest are spread over 400 visitors. Each query kind is run for the heavy and a light visitor through
/// NarrationSearch (the FTS5 trigram index ranked by bm25, or a scan of the visitor's rows when that is cheaper — short
/// words, or words common across everyone; each narration names one of 300 inspectors, the rare words), against the baseline of what ranked search
/// costs without the index: every row of the visitor's that holds all the words (LIKE), ranked by the same BM25 in memory.
/// </summary>
internal static class SearchRun
{
    private static readonly string[] English =
    [
        "A woman in a red coat walks down a rainy street at night.", "The camera tracks two detectives through an empty station.",
        "Inspector Okafor lights a cigarette under the flickering sign.", "Children run along the beach while gulls circle overhead.",
        "A ferry leaves the harbour in the morning mist.", "The close-up lingers on trembling hands holding a letter.",
        "Neon reflections ripple across the wet asphalt.", "An old man feeds pigeons in a quiet square.",
        "The shot widens to reveal a burning farmhouse.", "A train crosses a steel bridge at dawn.",
        "Two friends argue in a cramped kitchen.", "Slow motion captures the dancer's final leap.",
    ];

    private static readonly string[] Chinese =
    [
        "一个穿红衣服的女人走进了咖啡馆，坐在窗边。", "镜头跟随两名侦探穿过空荡的车站。", "老人在安静的广场上喂鸽子。",
        "渔船在晨雾中驶离港口。", "特写镜头停留在一双颤抖的手和一封信上。", "霓虹灯的倒影在湿漉漉的路面上摇晃。",
        "孩子们沿着海滩奔跑，海鸥在头顶盘旋。", "远景中一座农舍正在燃烧。", "黎明时分，一列火车驶过钢铁大桥。",
        "两个朋友在狭小的厨房里争吵。", "慢镜头捕捉到舞者最后的跳跃。", "雨夜里，街道尽头亮着一盏昏黄的路灯。",
    ];

    /// <summary>Names that make a narration findable: each narration mentions one, so each is in about 1 in 300 of them.</summary>
    private static readonly string[] Names = [.. Enumerable.Range(0, 300).Select(i => FormattableString.Invariant($"Okafor{i:000}"))];

    private static readonly string[] ChineseNames = [.. Enumerable.Range(0, 300).Select(i => "侦探" + (char)(0x4E00 + 17 * i) + (char)(0x4E00 + 31 * i + 5))];

    private static readonly (string Kind, string Query)[] Queries =
    [
        ("English word, common", "woman"),
        ("English name, rare", "Okafor042"),
        ("Chinese name, rare", ChineseNames[42]),
        ("English phrase", "\"red coat\""),
        ("Chinese, 3+ characters", "咖啡馆"),
        ("Chinese, 2 characters (LIKE fallback)", "海鸥"),
        ("Chinese 3+ and 2 characters", "咖啡馆 窗边"),
    ];

    public static async Task<int> RunAsync(int narrations, int runs, CancellationToken cancellationToken)
    {
        string work = Path.Combine(Path.GetTempPath(), "narrator-search-" + Guid.NewGuid().ToString("N"));
        try
        {
            var folder = new DataFolder(Options.Create(new NarratorOptions { DataPath = work }), new HostingEnvironment { ContentRootPath = work });
            var database = new NarratorDatabase(folder);
            var history = new NarrationHistory(database, TimeProvider.System);
            var search = new NarrationSearch(database, NullLogger<NarrationSearch>.Instance);
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, SQLite {SqliteVersion(database)}; load average {LoadAverage()}");

            var random = new Random(17);
            var heavy = new NarrationOwner("visitor:heavy");
            int heavyCount = narrations / 5;
            var fill = Stopwatch.StartNew();
            int segments = 0, translations = 0;
            for (int n = 0; n < narrations; n++)
            {
                var owner = n % 5 == 0 ? heavy : new NarrationOwner(FormattableString.Invariant($"visitor:{n % 400}"));
                (int s, int t) = await SaveAsync(history, owner, n, random, cancellationToken);
                segments += s;
                translations += t;
            }
            fill.Stop();
            long bytes = new FileInfo(folder.Database).Length + (File.Exists(folder.Database + "-wal") ? new FileInfo(folder.Database + "-wal").Length : 0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"store: {narrations} narrations ({segments} long-video segments, {translations} translations), heavy visitor {heavyCount}, others ~{(narrations - heavyCount) / 400}; " +
                $"filled in {fill.Elapsed.TotalSeconds:0.0} s ({fill.Elapsed.TotalMilliseconds / narrations:0.00} ms per narration incl. indexing), database {bytes / (1024.0 * 1024):0.0} MB"));
            Console.WriteLine();
            Console.WriteLine("| visitor | query | mode | hits | search median / p95 | baseline: LIKE + BM25 in memory, median | baseline / search |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var (label, owner) in new[] { ($"heavy ({heavyCount})", heavy), ($"light (~{(narrations - heavyCount) / 400})", new NarrationOwner("visitor:7")) })
            {
                foreach (var (kind, text) in Queries)
                {
                    var query = SearchQuery.Parse(text);
                    NarrationSearchResult? result = null;
                    await search.SearchAsync(owner, query, 20, cancellationToken); // warm the page cache and the statement
                    var searchMs = await TimeAsync(runs, async () => result = await search.SearchAsync(owner, query, 20, cancellationToken));
                    var baselineMs = await TimeAsync(runs, () => LikeScanAsync(database, owner, query, cancellationToken));
                    double s = LoadRun.Percentile(searchMs, 50), b = LoadRun.Percentile(baselineMs, 50);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {label} | {kind}: `{text}` | {result!.Mode} | {result.Hits.Count} | {s:0.00} / {LoadRun.Percentile(searchMs, 95):0.00} ms | {b:0.00} ms | {b / s:0.0}x |"));
                }
            }
            Console.WriteLine();
            Console.WriteLine($"{runs} runs per query, 20 hits asked for; load average after: {LoadAverage()}");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>One narration as the queue stores it; returns how many segments and translations it got.</summary>
    private static async Task<(int Segments, int Translations)> SaveAsync(NarrationHistory history, NarrationOwner owner, int n, Random random,
        CancellationToken cancellationToken)
    {
        bool chinese = random.Next(2) == 0;
        var work = new NarrationWork
        {
            ClipId = FormattableString.Invariant($"clip{n}"),
            ClipLabel = FormattableString.Invariant($"clip-{n}.mp4"),
            ClipPath = "",
            Prompt = "Describe.",
            Options = new(new FrameOptions(), new GenerationOptions()),
        };
        var job = new NarrationJob(n.ToString("x24", CultureInfo.InvariantCulture), new NarrationCaller(owner, NarrationOwner.ForAddress("127.0.0.1")), work,
            DateTimeOffset.UtcNow);
        int segments = 0;
        if (random.Next(5) == 0)
        {
            job.SegmentationMethod = "scenes";
            segments = random.Next(4, 7);
            for (int k = 0; k < segments; k++)
            {
                string text = Paragraph(random, chinese, 2, 4);
                job.RecordSegment(new NarrationSegment { Index = k, StartSeconds = k * 30, EndSeconds = k * 30 + 30, Text = text });
                job.AppendToken(PlainTextNarrationWriter.Heading(k * 30, k * 30 + 30) + "\n" + text + "\n\n");
            }
        }
        else
        {
            job.AppendToken(Paragraph(random, chinese, 4, 8));
        }
        var completed = new CompletedEvent(job.Text, new GenerationStats()) { NarrationId = job.Id };
        await history.SaveAsync(job.ToRecord(completed, DateTimeOffset.UtcNow), owner, cancellationToken);
        if (random.Next(3) != 0)
        {
            return (segments, 0);
        }
        await history.SaveTranslationAsync(job.Id, owner, work.ClipLabel, new NarrationTranslation
        {
            Language = chinese ? "en" : "zh",
            State = NarrationState.Completed,
            Text = Paragraph(random, !chinese, 4, 8),
            FinishedAt = DateTimeOffset.UtcNow,
        }, cancellationToken);
        return (segments, 1);
    }

    private static string Paragraph(Random random, bool chinese, int min, int max)
    {
        var pool = chinese ? Chinese : English;
        int count = random.Next(min, max + 1);
        string name = chinese ? ChineseNames[random.Next(ChineseNames.Length)] + "走了进来。" : $"Inspector {Names[random.Next(Names.Length)]} steps in.";
        return string.Join(chinese ? "" : " ", Enumerable.Range(0, count).Select(_ => pool[random.Next(pool.Length)]).Append(name));
    }

    /// <summary>The baseline: every term as LIKE over the visitor's rows, no text index, then the 20 best by BM25 in memory.</summary>
    private static async Task LikeScanAsync(NarratorDatabase database, NarrationOwner owner, SearchQuery query, CancellationToken cancellationToken)
    {
        var documents = new List<SearchDocument>();
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new List<string> { "owner = $owner" };
        command.Parameters.AddWithValue("$owner", owner.Value);
        for (int i = 0; i < query.Terms.Count; i++)
        {
            where.Add(FormattableString.Invariant($"text LIKE $t{i}"));
            command.Parameters.AddWithValue(FormattableString.Invariant($"$t{i}"), "%" + query.Terms[i] + "%");
        }
        command.CommandText = $"SELECT narration_id, video, kind, text FROM search_documents WHERE {string.Join(" AND ", where)}";
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                documents.Add(new SearchDocument { NarrationId = reader.GetString(0), Video = reader.GetString(1), Kind = reader.GetString(2), Text = reader.GetString(3) });
            }
        }
        TextSearch.Search(documents, query, 20);
    }

    private static async Task<List<double>> TimeAsync(int runs, Func<Task> work)
    {
        var times = new List<double>(runs);
        for (int run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            await work();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    private static string SqliteVersion(NarratorDatabase database)
    {
        using var connection = database.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
