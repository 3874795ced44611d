using System.Diagnostics;
using Narrator.Model.Text;

namespace Narrator.Bench;

/// <summary>Loading the bundled Qwen tokenizer (decompress, parse tokenizer.json, build the BPE), encoding and streaming decode.</summary>
internal sealed class TokenizerBenchmark : IBenchmark
{
    public string Name => "tokenizer";

    public string Description => "bundled Qwen tokenizer: load time (cold + warm), encode and stream-decode throughput";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        int runs = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 5;
        var total = new List<double>();
        var decompress = new List<double>();
        var parse = new List<double>();
        var build = new List<double>();
        var cpu = new List<double>();
        QwenTokenizer? tokenizer = null;
        for (int run = 0; run <= runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            byte[] json = BundledTokenizer.ReadTokenizerJson();
            double t1 = clock.Elapsed.TotalMilliseconds;
            var definition = TokenizerDefinition.Parse(json, "bundled");
            double t2 = clock.Elapsed.TotalMilliseconds;
            tokenizer = new QwenTokenizer(definition);
            tokenizer.Encode("warm up 你好");
            double t3 = clock.Elapsed.TotalMilliseconds;
            // CPU time of the process: on a machine shared with other work it is closer to the idle wall time.
            double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds;
            Console.WriteLine($"run {run}{(run == 0 ? " (cold)" : "")}: total {t3:F0} ms wall, {cpuMs:F0} ms CPU = decompress {t1:F0} + parse {t2 - t1:F0} + build {t3 - t2:F0}");
            if (run > 0)
            {
                total.Add(t3);
                decompress.Add(t1);
                parse.Add(t2 - t1);
                build.Add(t3 - t2);
                cpu.Add(cpuMs);
            }
        }
        Console.WriteLine($"warm median over {runs}: total {Median(total):F0} ms wall, {Median(cpu):F0} ms CPU (decompress {Median(decompress):F0}, parse {Median(parse):F0}, build {Median(build):F0})");

        string text = string.Concat(Enumerable.Repeat("镜头缓缓推近，画面中央的男子身穿深蓝色西装，神情严肃。The camera slowly pushes in on a man in a navy suit. ", 200));
        var encode = new List<double>();
        int[] ids = [];
        for (int run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            ids = tokenizer!.Encode(text);
            encode.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"encode {text.Length} chars -> {ids.Length} ids: median {Median(encode):F2} ms");

        var decode = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            var stream = tokenizer!.CreateStream();
            var clock = Stopwatch.StartNew();
            long chars = 0;
            foreach (int id in ids)
            {
                chars += stream.Decode(id).Length;
            }
            chars += stream.Flush().Length;
            decode.Add(clock.Elapsed.TotalMilliseconds * 1000 / ids.Length);
        }
        Console.WriteLine($"stream decode: median {Median(decode):F3} µs per token");
        return Task.FromResult(0);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
