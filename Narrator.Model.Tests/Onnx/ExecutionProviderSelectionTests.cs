using Microsoft.Extensions.Logging;
using Narrator.Model.Generation;
using Narrator.Model.Onnx;
using Narrator.Model.Tests.Demo;

namespace Narrator.Model.Tests.Onnx;

[Collection(DemoModelCollection.Name)]
public class ExecutionProviderSelectionTests(DemoModelFixture demo)
{
    [Fact]
    public void Asking_for_cuda_without_it_falls_back_to_the_cpu_and_logs_why_once()
    {
        var log = new RecordingLogger();
        using var package = ModelPackage.Open(demo.Directory, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cuda }, log);
        Assert.Equal("CPU", package.Provider.Provider);
        Assert.True(package.Provider.CudaAttempted);
        Assert.Contains("CUDA requested but CUDA is not available", package.Provider.Reason);
        Assert.Equal(package.Provider.Reason, package.EngineInfo.ProviderReason);
        Assert.Equal("this ONNX Runtime build has no CUDA provider (the CPU package is installed)", package.Provider.CudaFallbackReason);
        Assert.Equal(package.Provider.CudaFallbackReason, package.EngineInfo.CudaFallbackReason);
        var line = Assert.Single(log.Lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("CPU", line.Message);
    }

    [Fact]
    public void Cpu_never_tries_cuda()
    {
        var log = new RecordingLogger();
        using var package = ModelPackage.Open(demo.Directory, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu }, log);
        Assert.Equal("CPU", package.Provider.Provider);
        Assert.False(package.Provider.CudaAttempted);
        Assert.Equal("CPU requested in settings", package.Provider.Reason);
        Assert.Null(package.EngineInfo.CudaFallbackReason);
        Assert.Equal(LogLevel.Information, Assert.Single(log.Lines).Level);
    }

    [Fact]
    public void Workers_that_do_not_spin_decode_the_same_logits()
    {
        using var spinning = ModelPackage.Open(demo.Directory, new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu });
        using var sleeping = ModelPackage.Open(demo.Directory,
            new ExecutionProviderOptions { Provider = ExecutionProviderKind.Cpu, IntraOpSpinning = false });

        float[][] expected = GreedyLogits(spinning), actual = GreedyLogits(sleeping);

        Assert.Equal(expected.Length, actual.Length);
        for (int step = 0; step < expected.Length; step++)
        {
            Assert.Equal(expected[step], actual[step]);
        }
    }

    // Four greedy steps after a 40-token text prompt: every step's logits.
    private static float[][] GreedyLogits(ModelPackage package)
    {
        const int promptLength = 40, steps = 4;
        var ids = new int[promptLength];
        var positions = new long[3 * promptLength];
        for (int i = 0; i < promptLength; i++)
        {
            ids[i] = 1000 + (i * 37 % 500);
            positions[i] = positions[promptLength + i] = positions[2 * promptLength + i] = i;
        }
        using var sequence = new ModelSequence(package, promptLength + steps);
        using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        sequence.Prefill(new GeneratorPrompt { Ids = ids, PositionIds = positions }, runOptions);
        var logits = new float[steps][];
        for (int step = 0; step < steps; step++)
        {
            logits[step] = sequence.Logits.ToArray();
            if (step + 1 < steps)
            {
                sequence.Append(Array.IndexOf(logits[step], logits[step].Max()), runOptions);
            }
        }
        return logits;
    }

    [Fact]
    public void Auto_uses_the_cpu_here_and_says_so_without_a_warning()
    {
        var log = new RecordingLogger();
        using var package = ModelPackage.Open(demo.Directory, new ExecutionProviderOptions(), log);
        Assert.Equal("CPU", package.Provider.Provider);
        Assert.StartsWith("Auto but CUDA is not available", package.Provider.Reason);
        Assert.Null(package.EngineInfo.CudaFallbackReason);
        Assert.Equal(LogLevel.Information, Assert.Single(log.Lines).Level);
    }

    [Fact]
    public void Cuda_that_fails_at_session_start_is_a_loud_fallback_even_on_auto()
    {
        var log = new RecordingLogger();

        var selection = ExecutionProviderSelection.CudaFailedAtSessionStart("libcublasLt.so.13: cannot open shared object file", log);

        Assert.Equal("CPU", selection.Provider);
        Assert.True(selection.CudaAttempted);
        Assert.Equal("the CUDA provider failed to start (libcublasLt.so.13: cannot open shared object file)", selection.CudaFallbackReason);
        Assert.Equal("the CUDA provider failed to start (libcublasLt.so.13: cannot open shared object file); running on the CPU", selection.Reason);
        var line = Assert.Single(log.Lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("libcublasLt.so.13", line.Message);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
