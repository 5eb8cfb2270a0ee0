using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using IommuFd.Bindings.Backends;
using IommuFd.Conformance.Layout;
using IommuFd.Conformance.Processes;
using IommuFd.Conformance.Traces;
using IommuFd.Uapi;

namespace IommuFd.Conformance.Replay;

/// <summary>Runs a trace on a backend and records what every step did.</summary>
/// <remarks>A replay opens <c>/dev/iommu</c> as fd 0 first, allocates buffers through the backend,
/// and closes every fd it opened and frees every buffer at the end, so a backend can replay many
/// traces one after another.</remarks>
public static class TraceReplayer
{
    /// <summary>The device node a replay opens when a step does not name one.</summary>
    public const string DefaultDevice = "/dev/iommu";

    /// <summary>Replays <paramref name="trace"/> on <paramref name="backend"/>.</summary>
    /// <returns>One result per step, in order.</returns>
    /// <exception cref="TraceFormatException">A step cannot be carried out as written (names trace, line, step).</exception>
    /// <exception cref="InvalidOperationException">The backend cannot open <c>/dev/iommu</c> at all.</exception>
    public static ReplayResults Replay(IIommuBackend backend, Trace trace) =>
        Replay(backend, trace, IoctlCatalog.Default);

    /// <summary>Replays with an explicit ioctl catalog (tests use hand-made structs).</summary>
    public static ReplayResults Replay(IIommuBackend backend, Trace trace, IoctlCatalog catalog) =>
        Replay(backend, trace, catalog, beforeClose: null);

    /// <summary>Replays, then calls <paramref name="beforeClose"/> with the trace's fds (index K is the
    /// trace's fd K; -1 once closed, when its open failed, or for a memfd buffer's file) while they are still open, so a caller can
    /// query the session's state after the last step (the fail-nth sweep probes it there).</summary>
    public static ReplayResults Replay(IIommuBackend backend, Trace trace, Action<IReadOnlyList<int>> beforeClose) =>
        Replay(backend, trace, IoctlCatalog.Default, beforeClose);

    private static ReplayResults Replay(IIommuBackend backend, Trace trace, IoctlCatalog catalog,
                                                    Action<IReadOnlyList<int>>? beforeClose)
    {
        var results = new List<StepResult>(trace.Steps.Count);
        using var processes = new ReplayProcesses();
        using var buffers = new ReplayBuffers();
        var fds = new List<int>();
        int first = backend.Open(DefaultDevice);
        if (first < 0)
            throw new InvalidOperationException($"backend '{backend.Name}' cannot open {DefaultDevice}: errno {-first}");
        fds.Add(first);
        try
        {
            var resolver = new ValueResolver(buffers, results, fds);
            for (int index = 0; index < trace.Steps.Count; index++)
            {
                TraceStep step = trace.Steps[index];
                try
                {
                    results.Add(Run(backend, catalog, step, index, buffers, fds, resolver, processes));
                }
                catch (TraceFormatException e)
                {
                    throw new TraceFormatException($"trace '{trace.Name}' line {step.Line} (step {index}): {e.Message}", e);
                }
            }
            beforeClose?.Invoke([.. fds.Select(fd => buffers.OwnsFile(fd) ? -1 : fd)]); // a memfd is no iommufd to probe
        }
        finally
        {
            foreach (int fd in fds)
                if (fd >= 0 && !buffers.OwnsFile(fd))
                    backend.Close(fd);
        }
        return new ReplayResults(trace, results);
    }

    private static StepResult Run(IIommuBackend backend, IoctlCatalog catalog, TraceStep step, int index,
                                  ReplayBuffers buffers, List<int> fds, ValueResolver resolver, ReplayProcesses processes)
    {
        switch (step)
        {
            case AllocStep { Memfd: true } memfd:
                fds.Add(buffers.AllocateMemfd(backend, memfd.Buffer, memfd.Length));
                return new StepResult { Step = index };
            case AllocStep alloc:
                if (alloc.Process is { } owner)
                    buffers.Allocate(processes.Live(owner), alloc.Buffer, alloc.Length, alloc.File);
                else
                    buffers.Allocate(backend, alloc.Buffer, alloc.Length, alloc.File, alloc.Hugetlb);
                return new StepResult { Step = index };
            case ProtectStep protect:
                buffers.Protect(protect.Buffer, protect.Offset, protect.Length, protect.Prot);
                return new StepResult { Step = index };
            case WriteStep write:
                buffers.Write(write.Buffer, write.Offset, write.Data);
                return new StepResult { Step = index };
            case ReadStep read:
                return new StepResult { Step = index, Hex = Convert.ToHexStringLower(buffers.Read(read.Buffer, read.Offset, (ulong)read.Length)) };
            case SpawnStep spawn:
                processes.Spawn(spawn.Process);
                return new StepResult { Step = index };
            case ExitStep exit:
                return Result(index, processes.Live(exit.Process).Exit());
            case OpenStep open:
                int fd = backend.Open(open.Path ?? DefaultDevice);
                fds.Add(fd >= 0 ? fd : -1);
                return Result(index, fd >= 0 ? 0 : fd);
            case CloseStep close:
                int real = FdAt(fds, close.Fd);
                fds[close.Fd] = -1;
                return Result(index, buffers.OwnsFile(real) ? buffers.CloseFile(real) : backend.Close(real));
            case TruncateStep truncate:
                return Result(index, BufferMemory.Truncate(FdAt(fds, truncate.Fd), truncate.Length));
            case IoctlStep ioctl:
                OtherProcess? issuer = ioctl.Process is { } name ? processes.Live(name) : null;
                return RunIoctl(backend, catalog, ioctl, index, buffers, fds, resolver, issuer);
            case FdReadStep fdRead:
                var bytes = new byte[fdRead.Length];
                long got = backend.Read(FdAt(fds, fdRead.Fd), bytes);
                (long readRc, int readErrno) = StepResult.FromBackend(got);
                string? hex = got >= 0 ? Convert.ToHexStringLower(bytes.AsSpan(0, (int)got)) : null;
                return new StepResult { Step = index, Rc = readRc, Errno = readErrno, Hex = hex };
            case FdWriteStep fdWrite:
                return Result(index, backend.Write(FdAt(fds, fdWrite.Fd), fdWrite.Data));
            default:
                throw new TraceFormatException($"unsupported step {step.GetType().Name}");
        }
    }

    private static StepResult Result(int index, long backendResult)
    {
        (long rc, int errno) = StepResult.FromBackend(backendResult);
        return new StepResult { Step = index, Rc = rc, Errno = errno };
    }

    /// <summary>The real fd of index K; -1 once closed (the call then fails with EBADF on any backend).</summary>
    private static int FdAt(List<int> fds, int index)
    {
        if (index < 0 || index >= fds.Count)
            throw new TraceFormatException($"fd {index} was never opened ({fds.Count} opened so far)");
        return fds[index];
    }

    private static unsafe StepResult RunIoctl(IIommuBackend backend, IoctlCatalog catalog, IoctlStep step, int index,
                                              ReplayBuffers buffers, List<int> fds, ValueResolver resolver, OtherProcess? issuer)
    {
        (uint request, IoctlDescriptor? descriptor) = ResolveCommand(catalog, step.Command);
        int fd = FdAt(fds, step.Fd);

        Type? argumentType = descriptor?.ArgumentType;
        if (step.Value is not null || (argumentType is null && step.Arg is null && step.Tail is null))
        {
            ulong value = step.Value is null ? 0 : resolver.Resolve(step.Value, "value");
            return Result(index, issuer is null ? backend.Ioctl(fd, request, (void*)value) : issuer.Ioctl(backend, fd, request, value));
        }
        if (argumentType is null)
            throw new TraceFormatException($"{step.Command} takes no struct; use \"value\" or nothing");

        CStruct layout = CStructReflector.Describe(argumentType);
        byte[] tail = step.Tail ?? [];
        int total = layout.Size + tail.Length;
        byte* memory = (byte*)NativeMemory.AlignedAlloc((nuint)Math.Max(total, 1), 64);
        try
        {
            var bytes = new Span<byte>(memory, total);
            bytes.Clear();
            if (descriptor!.SizeField is { } sizeName && layout.Find(sizeName) is { Type: CScalar sizeType } sizeField)
                CStructCodec.WriteScalar(sizeType.ByteCount, bytes[sizeField.Offset..], (ulong)total);
            if (step.Arg is not null)
                CStructCodec.Write(layout, bytes, step.Arg, resolver.Resolve);
            tail.CopyTo(bytes[layout.Size..]);

            (long rc, int errno) = StepResult.FromBackend(issuer is null ? backend.Ioctl(fd, request, memory) : issuer.Ioctl(backend, fd, request, bytes));

            int? createdFd = FdFields.TakeCreatedFd(step, layout, bytes, rc, fds.Count);
            JsonObject after = CStructCodec.Read(layout, bytes, buffers.Symbolize);
            FdFields.Symbolize(step, after, rc, fds, createdFd);
            string? tailAfter = step.Tail is null ? null : Convert.ToHexStringLower(bytes[layout.Size..]);
            return new StepResult { Step = index, Rc = rc, Errno = errno, Arg = after, Tail = tailAfter };
        }
        finally
        {
            NativeMemory.AlignedFree(memory);
        }
    }

    private static (uint Request, IoctlDescriptor? Descriptor) ResolveCommand(IoctlCatalog catalog, string command)
    {
        if (catalog.Find(command) is { } named)
            return (named.Request, named);
        // A raw request number carries no struct: several ioctls share numbers (VFIO reuses them).
        if (Numbers.TryParseUnsigned(command, out ulong number) && number <= uint.MaxValue)
            return ((uint)number, null);
        throw new TraceFormatException($"unknown ioctl '{command}' (a C macro name of the generated tables, or a request number like \"0x3B7F\")");
    }
}
