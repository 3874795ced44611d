using Microsoft.Extensions.Logging;
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
        Assert.Equal(LogLevel.Information, Assert.Single(log.Lines).Level);
    }

    [Fact]
    public void Auto_uses_the_cpu_here_and_says_so_without_a_warning()
    {
        var log = new RecordingLogger();
        using var package = ModelPackage.Open(demo.Directory, new ExecutionProviderOptions(), log);
        Assert.Equal("CPU", package.Provider.Provider);
        Assert.StartsWith("Auto but CUDA is not available", package.Provider.Reason);
        Assert.Equal(LogLevel.Information, Assert.Single(log.Lines).Level);
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
