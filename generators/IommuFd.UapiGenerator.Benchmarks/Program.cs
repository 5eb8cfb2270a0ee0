using IommuFd.UapiGenerator.Benchmarks;

// Usage: dotnet run -c Release --project generators/IommuFd.UapiGenerator.Benchmarks [-- iterations]
int iterations = args.Length > 0 && int.TryParse(args[0], out int n) && n > 0 ? n : 50;
var benchmark = new GenerationBenchmark(iterations, Console.Out);
return benchmark.Run();
