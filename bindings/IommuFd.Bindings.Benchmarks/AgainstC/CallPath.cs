namespace IommuFd.Bindings.Benchmarks.AgainstC;

/// <summary>One way of issuing the benchmark's ioctls: C, the raw generated wrappers, or the idiomatic API.</summary>
internal enum CallPath
{
    C,
    RawWrappers,
    Idiomatic,
}

/// <summary>The ioctls measured, each in a loop of its own.</summary>
internal enum Operation
{
    Map,
    Unmap,
    Copy,
}
