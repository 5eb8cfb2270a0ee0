using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run -c Release --project bindings/IommuFd.Bindings.Benchmarks [-- BenchmarkDotNet arguments]
// In-process: the generated child project of the default toolchain would have to rebuild the uAPI
// generator wiring; running in this process measures the same code.
IConfig config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(IommuFd.Bindings.Benchmarks.MapUnmapBenchmark).Assembly)
    .Run(args.Length == 0 ? ["--filter", "*"] : args, config);
