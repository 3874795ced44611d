using Narrator.Model;

namespace Narrator.Bench;

/// <summary>The kernels benchmark's command line (<see cref="KernelsBenchmark"/>), refused with a sentence naming the option.</summary>
internal sealed record KernelsOptions(bool Gemv, bool Attention, int Runs, int Iterations, int[] Threads, int[] Blocks, int[] Accuracies,
    int StreamMebibytes, int[] Positions, int[] Capacities, int Layers, int CopyMebibytes, bool Spinning)
{
    public static KernelsOptions Parse(string[] args)
    {
        bool gemv = true, attention = true, spinning = false;
        int runs = 3, iterations = 20, stream = 600, layers = 28, copy = 1024;
        int[] threads = [1, 2], blocks = [32, 64, 128], accuracies = [4, 1], positions = [100, 4000], capacities = [4200, 32768];
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UserInputException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--part":
                    var parts = Value().Split(',');
                    if (parts.Except(["gemv", "attention"]).FirstOrDefault() is { } unknown)
                    {
                        throw new UserInputException($"--part takes gemv and/or attention, not '{unknown}'.");
                    }
                    gemv = parts.Contains("gemv");
                    attention = parts.Contains("attention");
                    break;
                case "--runs": runs = BenchArguments.PositiveWhole(Value(), "--runs"); break;
                case "--iterations": iterations = BenchArguments.PositiveWhole(Value(), "--iterations"); break;
                case "--threads": threads = BenchArguments.PositiveWholes(Value(), "--threads"); break;
                case "--blocks":
                    blocks = BenchArguments.PositiveWholes(Value(), "--blocks");
                    if (blocks.FirstOrDefault(b => b < 16 || b > 256 || (b & (b - 1)) != 0) is int badBlock and not 0)
                    {
                        throw new UserInputException($"--blocks takes powers of two from 16 to 256 (MatMulNBits' block sizes), not {badBlock}.");
                    }
                    break;
                case "--accuracy":
                    string text = Value();
                    accuracies = [.. text.Split(',').Select(a => a is "0" or "1" or "2" or "3" or "4" ? int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)
                        : throw new UserInputException($"--accuracy takes MatMulNBits accuracy levels 0 to 4, not '{a}'."))];
                    break;
                case "--stream-mib": stream = BenchArguments.PositiveWhole(Value(), "--stream-mib"); break;
                case "--positions": positions = BenchArguments.PositiveWholes(Value(), "--positions"); break;
                case "--capacities": capacities = BenchArguments.PositiveWholes(Value(), "--capacities"); break;
                case "--layers": layers = BenchArguments.PositiveWhole(Value(), "--layers"); break;
                case "--copy-mib": copy = BenchArguments.PositiveWhole(Value(), "--copy-mib"); break;
                case "--spinning": spinning = BenchArguments.OnOff(Value(), "--spinning"); break;
                default: throw new UserInputException($"Unknown argument {args[i]}.");
            }
        }
        if (positions.Min() < 2 || positions.Max() + 1 > capacities.Min())
        {
            throw new UserInputException($"--positions must be at least 2 and fit the smallest capacity ({capacities.Min()}) with the new token.");
        }
        return new KernelsOptions(gemv, attention, runs, iterations, threads, blocks, accuracies, stream, positions, capacities, layers, copy, spinning);
    }
}
